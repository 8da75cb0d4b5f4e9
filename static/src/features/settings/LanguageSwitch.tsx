import { useId } from "react";
import { LANGUAGES, useI18n, type Language } from "../../i18n/I18n";

/** A labelled select of the UI language. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { language, setLanguage, t } = useI18n();
  const id = useId();
  return (
    <div className={compact ? "language-switch compact" : "language-switch"}>
      <label htmlFor={id} className={compact ? "visually-hidden" : undefined}>
        {t("menu.language")}
      </label>
      <select id={id} value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {LANGUAGES.map((lang) => (
          <option key={lang} value={lang}>
            {t(lang === "en" ? "lang.en" : "lang.de")}
          </option>
        ))}
      </select>
    </div>
  );
}
