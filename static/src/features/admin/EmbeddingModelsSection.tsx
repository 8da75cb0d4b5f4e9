import { useId, useState } from "react";
import { useI18n } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { EditDeleteButtons } from "../../components/ui/ManageDialog";
import { Icon } from "../../components/ui/Icon";
import type { EmbeddingModel } from "../knowledge/types";
import { activateEmbeddingModel, deactivateEmbeddingModels, deleteEmbeddingModel, listEmbeddingModels } from "./api";
import { EmbeddingModelDialog } from "./EmbeddingModelDialog";
import { formatAmount } from "./format";
import { ErrorNotice } from "./Notice";
import { useLoad } from "./useLoad";

/** A change that asks first: what it is, and the question's texts. */
type Pending =
  | { kind: "activate"; model: EmbeddingModel }
  | { kind: "deactivate"; model: EmbeddingModel }
  | { kind: "delete"; model: EmbeddingModel };

const QUESTIONS: Record<Pending["kind"], { title: MessageKey; body: MessageKey; confirm: MessageKey; danger: boolean }> = {
  activate: { title: "embeddings.activateTitle", body: "embeddings.activateBody", confirm: "embeddings.activate", danger: false },
  deactivate: { title: "embeddings.deactivateTitle", body: "embeddings.deactivateBody", confirm: "embeddings.deactivate", danger: true },
  delete: { title: "embeddings.deleteTitle", body: "embeddings.deleteBody", confirm: "sidebar.delete", danger: true },
};

/** The embedding models: add, edit, activate (re-embeds every file), deactivate (keyword only), delete. */
export function EmbeddingModelsSection() {
  const { t, locale } = useI18n();
  const id = useId();
  const [version, setVersion] = useState(0);
  const loaded = useLoad(listEmbeddingModels, String(version));
  const [editing, setEditing] = useState<EmbeddingModel | "new" | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const models = loaded.data?.items ?? null;
  const active = models?.find((m) => m.active) ?? null;

  const confirm = () => {
    const change = pending;
    setPending(null);
    if (change === null) return;
    setActionError(null);
    const name = change.model.display_name;
    const [request, done] =
      change.kind === "activate" ? [() => activateEmbeddingModel(change.model.model_id), t("embeddings.activated", { name })]
      : change.kind === "deactivate" ? [() => deactivateEmbeddingModels(), t("embeddings.deactivated")]
      : [() => deleteEmbeddingModel(change.model.model_id), t("embeddings.deleted", { name })];
    request().then(
      () => {
        setStatus(done);
        setVersion((v) => v + 1);
      },
      (err: unknown) => setActionError(err),
    );
  };

  const price = (model: EmbeddingModel) => {
    const amount = Number(model.input_price_per_million);
    return Number.isFinite(amount) ? formatAmount(amount, "USD", locale) : model.input_price_per_million;
  };

  return (
    <section aria-labelledby={id + "title"} className="embedding-section" data-testid="embedding-models">
      <div className="admin-section-head">
        <h2 id={id + "title"}>{t("embeddings.title")}</h2>
        <button type="button" className="btn btn-primary btn-small" onClick={() => setEditing("new")}>
          <Icon name="plus" /> {t("embeddings.add")}
        </button>
      </div>
      <p className="muted">{t("embeddings.intro")}</p>
      <p className="notice notice-info">{t("embeddings.reembedNote")}</p>
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorNotice error={actionError} />
      <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
      {models === null && loaded.error === null && <p className="muted">{t("admin.loading")}</p>}
      {models !== null && models.length === 0 && <p className="muted">{t("embeddings.empty")}</p>}
      {models !== null && models.length > 0 && active === null && (
        <p className="notice notice-info" data-testid="embeddings-keyword-only">
          {t("embeddings.keywordOnly")}
        </p>
      )}
      {models !== null && models.length > 0 && (
        <div className="admin-table-wrap">
          <table className="admin-table" data-testid="embedding-table">
            <thead>
              <tr>
                <th scope="col">{t("admin.models.model")}</th>
                <th scope="col">{t("admin.models.provider")}</th>
                <th scope="col" className="num">{t("embeddings.dimension")}</th>
                <th scope="col" className="num wide-only">{t("embeddings.price")}</th>
                <th scope="col"><span className="visually-hidden">{t("admin.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.model_id} data-testid="embedding-row" data-model={model.model_id} data-active={model.active}>
                  <td>
                    <div className="cell-main">
                      {model.display_name}
                      {model.active ? <span className="badge badge-accent">{t("embeddings.active")}</span> : <span className="badge">{t("embeddings.inactive")}</span>}
                    </div>
                    <div className="cell-sub mono">{model.model_id}</div>
                  </td>
                  <td>{model.provider}</td>
                  <td className="num">{model.dimension}</td>
                  <td className="num wide-only">{price(model)}</td>
                  <td className="actions-cell">
                    <div className="row-actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        onClick={() => setPending({ kind: model.active ? "deactivate" : "activate", model })}
                      >
                        {t(model.active ? "embeddings.deactivate" : "embeddings.activate")}
                      </button>
                      <EditDeleteButtons
                        editLabel={t("embeddings.editLabel", { name: model.display_name })}
                        deleteLabel={t("embeddings.deleteLabel", { name: model.display_name })}
                        onEdit={() => setEditing(model)}
                        onDelete={() => setPending({ kind: "delete", model })}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pending && (
        <ConfirmDialog
          title={t(QUESTIONS[pending.kind].title)}
          body={t(QUESTIONS[pending.kind].body, { name: pending.model.display_name })}
          confirmLabel={t(QUESTIONS[pending.kind].confirm)}
          cancelLabel={t("admin.cancel")}
          danger={QUESTIONS[pending.kind].danger}
          onConfirm={confirm}
          onCancel={() => setPending(null)}
        />
      )}
      {editing !== null && (
        <EmbeddingModelDialog
          model={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setStatus(t("embeddings.saved", { name: saved.display_name }));
            setVersion((v) => v + 1);
          }}
        />
      )}
    </section>
  );
}
