import { useRef, useState } from "react";
import type { UserView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { useTheme, type ThemeChoice } from "../../lib/theme";
import { Icon } from "../../components/ui/Icon";
import { Popover } from "../../components/ui/Popover";
import { LanguageSwitch } from "../settings/LanguageSwitch";

const THEMES: { value: ThemeChoice; key: "menu.themeSystem" | "menu.themeLight" | "menu.themeDark" }[] = [
  { value: "system", key: "menu.themeSystem" },
  { value: "light", key: "menu.themeLight" },
  { value: "dark", key: "menu.themeDark" },
];

/** The account button: theme, language, logout. */
export function UserMenu({ user, onLogout }: { user: UserView; onLogout: () => void }) {
  const { t } = useI18n();
  const { theme, setTheme } = useTheme();
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const initials = (user.display_name.trim() || user.email).slice(0, 1).toUpperCase();
  const close = () => {
    setOpen(false);
    opener.current?.focus();
  };
  return (
    <div className="user-menu">
      <button
        ref={opener}
        type="button"
        className="user-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={t("menu.open")}
        onClick={() => setOpen((v) => !v)}
      >
        <span className="avatar" aria-hidden="true">
          {initials}
        </span>
        <span className="user-text">
          <span className="user-name">{user.display_name}</span>
          <span className="user-email">{user.email}</span>
        </span>
      </button>
      {open && (
        <Popover label={t("menu.open")} role="dialog" className="user-popover" onClose={close}>
          <div className="menu-section">
            <span className="menu-label" id="theme-label">
              {t("menu.theme")}
            </span>
            <div className="segmented" role="radiogroup" aria-labelledby="theme-label">
              {THEMES.map(({ value, key }) => (
                <button
                  key={value}
                  type="button"
                  role="radio"
                  aria-checked={theme === value}
                  className={theme === value ? "segment active" : "segment"}
                  onClick={() => setTheme(value)}
                >
                  {t(key)}
                </button>
              ))}
            </div>
          </div>
          <div className="menu-section">
            <LanguageSwitch />
          </div>
          <button type="button" className="menu-item" onClick={onLogout}>
            <Icon name="logout" /> {t("menu.logout")}
          </button>
        </Popover>
      )}
    </div>
  );
}
