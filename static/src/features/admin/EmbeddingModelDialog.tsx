import { useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { FormDialog } from "../../components/ui/FormDialog";
import { useSubmission } from "../../components/ui/useSubmission";
import { EMBEDDING_DIMENSIONS, type EmbeddingModel } from "../knowledge/types";
import { putEmbeddingModel } from "./api";
import { MODEL_ID, PRICE } from "./ModelDialog";

/** The providers with an embeddings API (`hub-providers`: not Anthropic, not xAI). */
const PROVIDERS = ["openai", "azure_openai", "gemini", "mistral", "openai_compatible"] as const;

interface Form {
  id: string;
  provider: string;
  name: string;
  dimension: number;
  price: string;
  deployment: string;
}

function formOf(model: EmbeddingModel | null): Form {
  return {
    id: model?.model_id ?? "",
    provider: model?.provider ?? "openai",
    name: model?.display_name ?? "",
    dimension: model?.dimension ?? 1536,
    price: model?.input_price_per_million ?? "",
    deployment: model?.azure_deployment ?? "",
  };
}

/** Adds an embedding model (`model` null) or edits one: provider, id, name, dimension, price. */
export function EmbeddingModelDialog({ model, onCancel, onSaved }: { model: EmbeddingModel | null; onCancel: () => void; onSaved: (model: EmbeddingModel) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form>(() => formOf(model));
  const { error, setError, busy, run } = useSubmission();
  const set = (key: "id" | "provider" | "name" | "price" | "deployment") => (event: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: event.target.value }));
  const azure = form.provider === "azure_openai";

  const validate = (): string | null => {
    if (!MODEL_ID.test(form.id.trim())) return t("admin.models.idInvalid");
    if (form.name.trim() === "") return t("admin.models.nameRequired");
    if (!PRICE.test(form.price.trim())) return t("admin.models.priceInvalid");
    if (azure && form.deployment.trim() === "") return t("admin.models.deploymentRequired");
    return null;
  };

  const submit = () => {
    const invalid = validate();
    setError(invalid);
    if (invalid !== null) return;
    void run(
      () =>
        putEmbeddingModel(form.id.trim(), {
          provider: form.provider,
          display_name: form.name.trim(),
          dimension: form.dimension,
          input_price_per_million: form.price.trim(),
          ...(azure ? { azure_deployment: form.deployment.trim() } : {}),
        }),
      onSaved,
    );
  };

  return (
    <FormDialog
      title={model === null ? t("embeddings.addTitle") : t("embeddings.editTitle", { name: model.display_name })}
      testId="embedding-dialog"
      onSubmit={submit}
      onCancel={onCancel}
      submitLabel={t("admin.save")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="embedding-provider">{t("admin.models.provider")}</label>
          <select id="embedding-provider" value={form.provider} onChange={set("provider")}>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="embedding-id">{t("admin.models.id")}</label>
          <input id="embedding-id" type="text" value={form.id} onChange={set("id")} disabled={model !== null} autoComplete="off" aria-describedby="embedding-id-hint" />
          <p id="embedding-id-hint" className="field-hint">
            {t("admin.models.idHint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor="embedding-name">{t("admin.models.name")}</label>
          <input id="embedding-name" type="text" value={form.name} onChange={set("name")} maxLength={100} autoComplete="off" />
        </div>
        {azure && (
          <div className="field">
            <label htmlFor="embedding-deployment">{t("admin.models.deployment")}</label>
            <input id="embedding-deployment" type="text" value={form.deployment} onChange={set("deployment")} autoComplete="off" />
          </div>
        )}
        <div className="field">
          <label htmlFor="embedding-dimension">{t("embeddings.dimension")}</label>
          <select id="embedding-dimension" value={form.dimension} onChange={(e) => setForm((f) => ({ ...f, dimension: Number(e.target.value) }))}>
            {EMBEDDING_DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="embedding-price">{t("embeddings.price")}</label>
          <input id="embedding-price" type="text" inputMode="decimal" value={form.price} onChange={set("price")} autoComplete="off" />
        </div>
      </div>
      <p className="field-hint">{t("admin.models.priceHint")}</p>
      {model?.active === true && <p className="field-hint">{t("embeddings.reembedNote")}</p>}
    </FormDialog>
  );
}
