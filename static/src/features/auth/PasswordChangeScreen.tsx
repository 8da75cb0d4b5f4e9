import { useEffect, useId, useState, type SyntheticEvent } from "react";
import { ApiError } from "../../api/errors";
import { logout, updateMe } from "../../api/endpoints";
import { storeUser } from "../../api/session";
import type { UserView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { Icon } from "../../components/ui/Icon";
import { LanguageSwitch } from "../settings/LanguageSwitch";
import { Brand } from "../../components/ui/Brand";

/**
 * The one screen while the API answers 403 `password_change_required`: the password was set by
 * an administrator (a new account, a reset, the first run) and must be replaced before anything
 * else works. Changing it (`PATCH /api/auth/me`) clears the flag.
 */
export function PasswordChangeScreen({ user, onDone }: { user: UserView; onDone: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<{ field: "current" | "next" | "repeat" | "form"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const title = t("password.title");
  useEffect(() => {
    document.title = title + " · " + t("app.name");
  }, [title, t]);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    const length = Array.from(next).length;
    let invalid: typeof error = null;
    if (current === "") invalid = { field: "current", text: t("validation.passwordRequired") };
    else if (length < 8) invalid = { field: "next", text: t("validation.passwordShort") };
    else if (length > 128) invalid = { field: "next", text: t("validation.passwordLong") };
    else if (next === current) invalid = { field: "next", text: t("password.sameAsOld") };
    else if (next !== repeat) invalid = { field: "repeat", text: t("password.mismatch") };
    setError(invalid);
    if (invalid !== null) {
      document.getElementById(id + invalid.field)?.focus();
      return;
    }
    setBusy(true);
    try {
      const updated = await updateMe({ current_password: current, password: next });
      // A successful change clears the demand (documented); keep the stored account in step.
      if (updated.must_change_password) storeUser({ ...updated, must_change_password: false });
      onDone();
    } catch (err) {
      const wrongCurrent = err instanceof ApiError && err.code === "invalid_current_password";
      setError({ field: wrongCurrent ? "current" : "form", text: wrongCurrent ? t("password.wrongCurrent") : describeError(err, t) });
      setBusy(false);
    }
  };

  const field = (name: "current" | "next" | "repeat", label: string, value: string, set: (v: string) => void, autoComplete: string) => (
    <div className="field">
      <label htmlFor={id + name}>{label}</label>
      <input
        id={id + name}
        type="password"
        autoComplete={autoComplete}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={error?.field === name}
        aria-describedby={error?.field === name ? id + name + "-error" : undefined}
      />
      {error?.field === name && (
        <p id={id + name + "-error"} className="field-error" role="alert">
          {error.text}
        </p>
      )}
    </div>
  );

  return (
    <div className="auth-page">
      <div className="auth-top">
        <LanguageSwitch compact />
      </div>
      <main className="auth-card" aria-labelledby={id + "title"} data-testid="password-change">
        <Brand size={20} />
        <h1 id={id + "title"} className="auth-title">
          {title}
        </h1>
        <p className="auth-subtitle">{t("password.subtitle", { email: user.email })}</p>
        {error?.field === "form" && (
          <p className="notice notice-error" role="alert">
            <Icon name="alert" /> {error.text}
          </p>
        )}
        <form noValidate onSubmit={(e) => void submit(e)} className="auth-form">
          {field("current", t("password.current"), current, setCurrent, "current-password")}
          {field("next", t("password.new"), next, setNext, "new-password")}
          <p className="field-hint">{t("auth.passwordHint")}</p>
          {field("repeat", t("password.repeat"), repeat, setRepeat, "new-password")}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? t("auth.working") : t("password.submit")}
          </button>
        </form>
        <p className="auth-switch">
          <button type="button" className="link-button" onClick={() => void logout()}>
            {t("menu.logout")}
          </button>
        </p>
      </main>
    </div>
  );
}
