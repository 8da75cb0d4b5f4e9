import { useState } from "react";
import { ApiError } from "../../api/errors";
import type { AdminUserPassword } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { Icon } from "../../components/ui/Icon";
import { createUser } from "./api";
import { FormDialog } from "../../components/ui/FormDialog";

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A new account: email, name, optional password (else generated), admin or not. */
export function CreateUserDialog({ onCancel, onCreated }: { onCancel: () => void; onCreated: (answer: AdminUserPassword) => void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [isAdmin, setIsAdmin] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!EMAIL_PATTERN.test(email.trim())) return setError(t("validation.emailInvalid"));
    const length = Array.from(password).length;
    if (password !== "" && length < 8) return setError(t("validation.passwordShort"));
    if (length > 128) return setError(t("validation.passwordLong"));
    setBusy(true);
    setError(null);
    try {
      const trimmed = name.trim();
      onCreated(
        await createUser({
          email: email.trim(),
          is_admin: isAdmin,
          ...(trimmed === "" ? {} : { display_name: trimmed }),
          ...(password === "" ? {} : { password }),
        }),
      );
    } catch (err) {
      setError(err instanceof ApiError && err.code === "email_taken" ? t("error.email_taken") : describeError(err, t));
      setBusy(false);
    }
  };

  return (
    <FormDialog
      title={t("admin.users.createTitle")}
      testId="create-user-dialog"
      onSubmit={() => void submit()}
      onCancel={onCancel}
      submitLabel={t("admin.users.createSubmit")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
    >
      <div className="field">
        <label htmlFor="new-user-email">{t("auth.email")}</label>
        <input id="new-user-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} required autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="new-user-name">{t("auth.displayName")}</label>
        <input id="new-user-name" type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="new-user-password">{t("auth.password")}</label>
        <input id="new-user-password" type="text" value={password} onChange={(e) => setPassword(e.target.value)} maxLength={128} autoComplete="off" aria-describedby="new-user-password-hint" />
        <p id="new-user-password-hint" className="field-hint">
          {t("admin.users.passwordHint")}
        </p>
      </div>
      <label className="check">
        <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} /> {t("admin.users.makeAdmin")}
      </label>
    </FormDialog>
  );
}

/** A generated password, shown this once, with a copy button. */
export function PasswordShownDialog({ email, password, onClose }: { email: string; password: string; onClose: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <FormDialog
      title={t("admin.users.passwordTitle")}
      testId="password-shown-dialog"
      onSubmit={onClose}
      onCancel={onClose}
      submitLabel={t("admin.done")}
    >
      <p>{t("admin.users.passwordBody", { email })}</p>
      <div className="password-row">
        <code className="secret" data-testid="generated-password">
          {password}
        </code>
        <button
          type="button"
          className="btn btn-secondary btn-small"
          onClick={() => void navigator.clipboard.writeText(password).then(() => setCopied(true))}
        >
          <Icon name={copied ? "check" : "copy"} /> {t(copied ? "admin.copied" : "admin.copy")}
        </button>
      </div>
    </FormDialog>
  );
}
