import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { de, en, type Dictionary, type MessageKey } from "./messages";

export type Language = "en" | "de";
export const LANGUAGES: readonly Language[] = ["en", "de"];

const STORAGE_KEY = "hub.language";
const dictionaries: Record<Language, Dictionary> = { en, de };

/** The stored choice, else the browser's preferred language, else English. */
function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === "en" || stored === "de") return stored;
  for (const tag of navigator.languages.length > 0 ? navigator.languages : [navigator.language]) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "de") return "de";
    if (base === "en") return "en";
  }
  return "en";
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

interface I18nValue {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  /** Formats numbers and dates for the language. */
  locale: string;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);

  const value = useMemo<I18nValue>(() => {
    const dict = dictionaries[language];
    const t: Translate = (key, params) => {
      let text = dict[key];
      if (params) {
        for (const [name, v] of Object.entries(params)) text = text.split("{" + name + "}").join(String(v));
      }
      return text;
    };
    return { language, setLanguage, t, locale: language === "de" ? "de-DE" : "en-US" };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (value === null) throw new Error("useI18n outside I18nProvider");
  return value;
}
