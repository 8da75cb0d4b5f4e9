import { useI18n } from "../../i18n/I18n";
import { Icon } from "./Icon";

/** The hub's mark and name, as every screen shows them at its top. */
export function Brand({ size = 18 }: { size?: number }) {
  const { t } = useI18n();
  return (
    <div className="brand">
      <span className="brand-mark" aria-hidden="true">
        <Icon name="spark" size={size} />
      </span>
      <span className="brand-name">{t("app.name")}</span>
    </div>
  );
}
