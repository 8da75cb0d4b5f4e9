import { useId, useState } from "react";
import type { AdminModelView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Icon } from "../../components/ui/Icon";
import { listAdminModels, updateModel } from "./api";
import { formatCount, formatMoney } from "./format";
import { ModelDialog } from "./ModelDialog";
import { ErrorNotice } from "./Notice";
import { useLoad } from "./useLoad";

/** Models (A5): every configured model; add, edit, enable/disable, make default. */
export function ModelsTab() {
  const { t, locale } = useI18n();
  const id = useId();
  const [version, setVersion] = useState(0);
  const loaded = useLoad(listAdminModels, String(version));
  const [editing, setEditing] = useState<AdminModelView | "new" | null>(null);
  const [disabling, setDisabling] = useState<AdminModelView | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const models = loaded.data?.items ?? null;

  const change = async (model: AdminModelView, body: { enabled?: boolean; is_default?: true }, done: string) => {
    setActionError(null);
    try {
      await updateModel(model.id, body);
      setStatus(done);
      // Making a default changes two rows: the list is loaded again.
      setVersion((v) => v + 1);
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <section aria-labelledby={id + "title"}>
      <div className="admin-section-head">
        <h2 id={id + "title"}>{t("admin.tab.models")}</h2>
        <button type="button" className="btn btn-primary btn-small" onClick={() => setEditing("new")}>
          <Icon name="plus" /> {t("admin.models.add")}
        </button>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorNotice error={actionError} />
      <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
      {models === null && loaded.error === null && <p className="muted">{t("admin.loading")}</p>}
      {models !== null && models.length === 0 && (
        <div className="notice notice-info" data-testid="models-empty">
          <span>{t("admin.models.empty")}</span>
        </div>
      )}
      {models !== null && models.length > 0 && (
        <div className="admin-table-wrap">
          <table className="admin-table" data-testid="models-table">
            <thead>
              <tr>
                <th scope="col">{t("admin.models.model")}</th>
                <th scope="col">{t("admin.models.provider")}</th>
                <th scope="col">{t("admin.models.state")}</th>
                <th scope="col" className="num wide-only">{t("admin.models.prices")}</th>
                <th scope="col" className="num wide-only">{t("admin.models.context")}</th>
                <th scope="col"><span className="visually-hidden">{t("admin.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.id} data-testid="model-row" data-model={model.id} data-enabled={model.enabled} data-default={model.is_default}>
                  <td>
                    <div className="cell-main">
                      {model.display_name}
                      {model.is_default && <span className="badge badge-accent">{t("admin.models.default")}</span>}
                    </div>
                    <div className="cell-sub mono">{model.id}</div>
                  </td>
                  <td>
                    <div>{model.provider}</div>
                    {!model.provider_configured && (
                      <span className="badge badge-danger" title={t("admin.models.noKeyHint")}>
                        {t("admin.models.noKey")}
                      </span>
                    )}
                  </td>
                  <td>
                    {model.enabled ? t("admin.models.enabled") : <span className="badge badge-danger">{t("admin.models.disabled")}</span>}
                  </td>
                  <td className="num wide-only">
                    <div>{t("admin.models.inOut", { input: formatMoney(model.input_price_per_million, locale), output: formatMoney(model.output_price_per_million, locale) })}</div>
                    {model.cached_input_price_per_million && (
                      <div className="cell-sub">{t("admin.models.cachedPrice", { price: formatMoney(model.cached_input_price_per_million, locale) })}</div>
                    )}
                  </td>
                  <td className="num wide-only">{model.context_window === null ? "–" : formatCount(model.context_window, locale)}</td>
                  <td className="actions-cell">
                    <div className="row-actions">
                      {model.enabled && !model.is_default && (
                        <button type="button" className="btn btn-ghost btn-small" onClick={() => void change(model, { is_default: true }, t("admin.models.madeDefault", { name: model.display_name }))}>
                          {t("admin.models.makeDefault")}
                        </button>
                      )}
                      {model.enabled ? (
                        <button
                          type="button"
                          className="btn btn-ghost btn-small"
                          disabled={model.is_default}
                          title={model.is_default ? t("admin.models.defaultStays") : undefined}
                          onClick={() => setDisabling(model)}
                        >
                          {t("admin.models.disable")}
                        </button>
                      ) : (
                        <button type="button" className="btn btn-ghost btn-small" onClick={() => void change(model, { enabled: true }, t("admin.models.enabledDone", { name: model.display_name }))}>
                          {t("admin.models.enable")}
                        </button>
                      )}
                      <button type="button" className="icon-button" aria-label={t("admin.models.editLabel", { name: model.display_name })} onClick={() => setEditing(model)}>
                        <Icon name="edit" />
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {disabling && (
        <ConfirmDialog
          title={t("admin.models.disableTitle")}
          body={t("admin.models.disableBody", { name: disabling.display_name })}
          confirmLabel={t("admin.models.disable")}
          cancelLabel={t("admin.cancel")}
          danger
          onConfirm={() => {
            const model = disabling;
            setDisabling(null);
            void change(model, { enabled: false }, t("admin.models.disabledDone", { name: model.display_name }));
          }}
          onCancel={() => setDisabling(null)}
        />
      )}
      {editing !== null && (
        <ModelDialog
          model={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={(model) => {
            setEditing(null);
            setStatus(t("admin.models.saved", { name: model.display_name }));
            setVersion((v) => v + 1);
          }}
        />
      )}
    </section>
  );
}
