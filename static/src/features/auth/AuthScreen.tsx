import { useEffect, useId, useState, type SyntheticEvent } from "react";
import { ApiError } from "../../api/errors";
import { login, register } from "../../api/endpoints";
import { useI18n } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";
import { describeError } from "../../lib/errors";
import { Icon } from "../../components/ui/Icon";
import { LanguageSwitch } from "../settings/LanguageSwitch";
import { Brand } from "../../components/ui/Brand";

export type AuthMode = "login" | "register";

interface Props {
  mode: AuthMode;
  onModeChange: (mode: AuthMode) => void;
  /** Shown above the form, e.g. after the session expired. */
  notice: string | null;
}

type Field = "email" | "password" | "display_name";
type FieldErrors = Partial<Record<Field, string>>;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validate(mode: AuthMode, email: string, password: string, displayName: string): Partial<Record<Field, MessageKey>> {
  const errors: Partial<Record<Field, MessageKey>> = {};
  if (email.trim() === "") errors.email = "validation.emailRequired";
  else if (!EMAIL_PATTERN.test(email.trim())) errors.email = "validation.emailInvalid";
  if (password === "") errors.password = "validation.passwordRequired";
  else if (mode === "register" && Array.from(password).length < 8) errors.password = "validation.passwordShort";
  else if (mode === "register" && Array.from(password).length > 128) errors.password = "validation.passwordLong";
  if (mode === "register" && displayName.trim().length > 100) errors.display_name = "validation.displayNameLong";
  return errors;
}

/** Login and registration (U6): one card, two modes. */
export function AuthScreen({ mode, onModeChange, notice }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    const invalid = validate(mode, email, password, displayName);
    const translated: FieldErrors = {};
    for (const [field, key] of Object.entries(invalid) as [Field, MessageKey][]) translated[field] = t(key);
    setErrors(translated);
    setFormError(null);
    if (Object.keys(translated).length > 0) {
      const first = (["email", "password", "display_name"] as const).find((f) => translated[f] !== undefined);
      if (first) document.getElementById(id + first)?.focus();
      return;
    }
    setBusy(true);
    try {
      if (mode === "login") await login({ email: email.trim(), password });
      else {
        const name = displayName.trim();
        await register({ email: email.trim(), password, ...(name === "" ? {} : { display_name: name }) });
      }
      // The session listener in App switches to the chat.
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      if (err instanceof ApiError && err.code === "email_taken") setErrors({ email: describeError(err, t) });
      else if (field === "email" || field === "password" || field === "display_name") {
        setErrors({ [field]: describeError(err, t) });
      } else setFormError(describeError(err, t));
      setBusy(false);
    }
  };

  const fieldProps = (field: Field) => ({
    id: id + field,
    "aria-invalid": errors[field] !== undefined,
    "aria-describedby": [errors[field] ? id + field + "-error" : "", id + field + "-hint"].filter(Boolean).join(" ") || undefined,
  });

  const isLogin = mode === "login";
  const heading = t(isLogin ? "auth.login.title" : "auth.register.title");
  useEffect(() => {
    document.title = heading + " · " + t("app.name");
  }, [heading, t]);
  return (
    <div className="auth-page">
      <div className="auth-top">
        <LanguageSwitch compact />
      </div>
      <main className="auth-card" aria-labelledby={id + "title"}>
        <Brand size={20} />
        <h1 id={id + "title"} className="auth-title">
          {t(isLogin ? "auth.login.title" : "auth.register.title")}
        </h1>
        <p className="auth-subtitle">{t(isLogin ? "auth.login.subtitle" : "auth.register.subtitle")}</p>
        {notice && (
          <p className="notice notice-info" role="status">
            {notice}
          </p>
        )}
        {formError && (
          <p className="notice notice-error" role="alert">
            <Icon name="alert" /> {formError}
          </p>
        )}
        <form noValidate onSubmit={(e) => void submit(e)} className="auth-form">
          <div className="field">
            <label htmlFor={id + "email"}>{t("auth.email")}</label>
            <input
              {...fieldProps("email")}
              type="email"
              name="email"
              autoComplete={isLogin ? "username" : "email"}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              maxLength={254}
              required
            />
            {errors.email && (
              <p id={id + "email-error"} className="field-error" role="alert">
                {errors.email}
              </p>
            )}
          </div>
          {!isLogin && (
            <div className="field">
              <label htmlFor={id + "display_name"}>{t("auth.displayName")}</label>
              <input
                {...fieldProps("display_name")}
                type="text"
                name="display_name"
                autoComplete="name"
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
              />
              <p id={id + "display_name-hint"} className="field-hint">
                {t("auth.displayNameHint")}
              </p>
              {errors.display_name && (
                <p id={id + "display_name-error"} className="field-error" role="alert">
                  {errors.display_name}
                </p>
              )}
            </div>
          )}
          <div className="field">
            <label htmlFor={id + "password"}>{t("auth.password")}</label>
            <div className="password-row">
              <input
                {...fieldProps("password")}
                type={showPassword ? "text" : "password"}
                name="password"
                autoComplete={isLogin ? "current-password" : "new-password"}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
              />
              <button
                type="button"
                className="btn btn-ghost btn-small"
                aria-pressed={showPassword}
                onClick={() => setShowPassword((v) => !v)}
              >
                {t(showPassword ? "auth.hidePassword" : "auth.showPassword")}
              </button>
            </div>
            {!isLogin && (
              <p id={id + "password-hint"} className="field-hint">
                {t("auth.passwordHint")}
              </p>
            )}
            {errors.password && (
              <p id={id + "password-error"} className="field-error" role="alert">
                {errors.password}
              </p>
            )}
          </div>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? t("auth.working") : t(isLogin ? "auth.login.submit" : "auth.register.submit")}
          </button>
        </form>
        <p className="auth-switch">
          {t(isLogin ? "auth.login.toRegister" : "auth.register.toLogin")}{" "}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setErrors({});
              setFormError(null);
              onModeChange(isLogin ? "register" : "login");
            }}
          >
            {t(isLogin ? "auth.login.toRegisterLink" : "auth.register.toLoginLink")}
          </button>
        </p>
      </main>
    </div>
  );
}
