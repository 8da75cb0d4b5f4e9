import { useId, useState } from "react";
import type { AuditVerification } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { auditCsv, listAudit, saveBlob, verifyAudit, type AuditQuery } from "./api";
import { formatDateTime } from "./format";
import { ErrorNotice, ListFooter } from "./Notice";
import { usePagedList } from "./usePagedList";
import { useDebounced } from "./UsersTab";

/** The actions the hub records (`hub_db::audit::AuditAction`), offered as suggestions. */
const KNOWN_ACTIONS = [
  "admin.user_created",
  "admin.user_updated",
  "admin.password_reset",
  "admin.user_deleted",
  "admin.model_created",
  "admin.model_updated",
  "auth.register",
  "auth.login",
  "auth.login_failed",
  "auth.lockout",
  "auth.logout",
  "auth.refresh_reuse_detected",
  "auth.session_revoked",
  "auth.password_changed",
  "auth.password_change_failed",
  "auth.bootstrap_admin",
  "auth.admin_set_by_cli",
  "chat.created",
  "chat.renamed",
  "chat.deleted",
  "chat.message_answered",
  "assistant.created",
  "assistant.updated",
  "assistant.deleted",
  "template.created",
  "template.updated",
  "template.deleted",
  "knowledge.collection_created",
  "knowledge.collection_updated",
  "knowledge.collection_deleted",
  "knowledge.file_added",
  "knowledge.file_deleted",
];

const EMPTY: AuditQuery = { action: "", actor: "", target: "", from: "", until: "" };

/** The details of an entry as `key: value` pairs (before/after values are objects). */
function detailText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => key + ": " + (typeof value === "string" ? value : JSON.stringify(value)))
    .join("\n");
}

/** Audit log (A6, A7): filters, newest first, keyset paging, CSV, and the hash chain's check. */
export function AuditTab() {
  const { t, locale } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState<AuditQuery>(EMPTY);
  // Typing settles before a request goes out; dates and the action apply at once.
  const actor = useDebounced(draft.actor);
  const target = useDebounced(draft.target);
  const filter: AuditQuery = { ...draft, actor, target };
  const list = usePagedList((cursor) => listAudit(filter, cursor), JSON.stringify(filter));
  const [csvError, setCsvError] = useState<unknown>(null);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [verifying, setVerifying] = useState(false);
  const set = (key: keyof AuditQuery) => (event: { target: { value: string } }) => setDraft((f) => ({ ...f, [key]: event.target.value }));

  const download = async () => {
    setCsvError(null);
    try {
      saveBlob(await auditCsv(filter), "audit.csv");
    } catch (err) {
      setCsvError(err);
    }
  };
  const verify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerification(await verifyAudit());
    } catch (err) {
      setVerifyError(err);
    }
    setVerifying(false);
  };

  return (
    <section aria-labelledby={id + "title"}>
      <div className="admin-section-head">
        <h2 id={id + "title"}>{t("admin.tab.audit")}</h2>
        <div className="row-actions">
          <button type="button" className="btn btn-secondary btn-small" disabled={verifying} onClick={() => void verify()} data-testid="audit-verify">
            <Icon name="shield" /> {t("admin.audit.verify")}
          </button>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => void download()} data-testid="audit-csv">
            <Icon name="download" /> {t("admin.csv")}
          </button>
        </div>
      </div>
      {verification && (
        <div className={verification.ok ? "notice notice-info" : "notice notice-error"} role="status" data-testid="audit-verification">
          <span>
            {verification.ok
              ? t("admin.audit.chainOk", { count: verification.checked })
              : t("admin.audit.chainBroken", { seq: verification.broken?.seq ?? 0, message: verification.broken?.message ?? "" })}
          </span>
        </div>
      )}
      <ErrorNotice error={verifyError} />
      <div className="admin-toolbar" role="search">
        <label>
          <span>{t("admin.audit.action")}</span>
          <input type="search" list={id + "actions"} value={draft.action} onChange={set("action")} maxLength={100} />
          <datalist id={id + "actions"}>
            {KNOWN_ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
        </label>
        <label>
          <span>{t("admin.audit.actor")}</span>
          <input type="search" value={draft.actor} onChange={set("actor")} maxLength={254} />
        </label>
        <label>
          <span>{t("admin.audit.target")}</span>
          <input type="search" value={draft.target} onChange={set("target")} maxLength={254} />
        </label>
        <label>
          <span>{t("admin.costs.from")}</span>
          <input type="date" value={draft.from} onChange={set("from")} />
        </label>
        <label>
          <span>{t("admin.costs.until")}</span>
          <input type="date" value={draft.until} onChange={set("until")} />
        </label>
        {JSON.stringify(draft) !== JSON.stringify(EMPTY) && (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setDraft(EMPTY)}>
            {t("admin.filter.clear")}
          </button>
        )}
      </div>
      <ErrorNotice error={csvError} />
      <ErrorNotice error={list.error} onRetry={list.reload} />
      <div className="admin-table-wrap">
        <table className="admin-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">{t("admin.audit.when")}</th>
              <th scope="col">{t("admin.audit.action")}</th>
              <th scope="col">{t("admin.audit.actor")}</th>
              <th scope="col">{t("admin.audit.target")}</th>
              <th scope="col" className="wide-only">{t("admin.audit.details")}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((entry) => (
              <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                <td className="nowrap">{formatDateTime(entry.created_at, locale)}</td>
                <td className="mono">{entry.action}</td>
                <td>{entry.actor_email ?? entry.actor_id ?? "–"}</td>
                <td className="break">{entry.target ?? "–"}</td>
                <td className="wide-only">
                  {Object.keys(entry.details).length > 0 && <pre className="audit-details">{detailText(entry.details)}</pre>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ListFooter list={list} empty={t("admin.audit.none")} />
    </section>
  );
}
