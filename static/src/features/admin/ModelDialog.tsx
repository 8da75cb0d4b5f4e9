import { useState } from "react";
import { ApiError } from "../../api/errors";
import type { AdminModelView, AdminUpdateModel } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { createModel, updateModel } from "./api";
import { FormDialog } from "../../components/ui/FormDialog";

/** The providers the hub has clients for (`hub-providers`). */
const PROVIDERS = ["openai", "anthropic", "gemini", "mistral", "xai", "azure_openai", "openai_compatible"] as const;
/** A price as the API takes it: a decimal with at most 10 places. */
export const PRICE = /^\d{1,7}(\.\d{1,10})?$/;
/** A model id as the API takes it. */
export const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;

interface Form {
  id: string;
  provider: string;
  display_name: string;
  input: string;
  output: string;
  cached: string;
  context: string;
  temperature: boolean;
  deployment: string;
}

function formOf(model: AdminModelView | null): Form {
  return {
    id: model?.id ?? "",
    provider: model?.provider ?? "openai",
    display_name: model?.display_name ?? "",
    input: model?.input_price_per_million.amount ?? "",
    output: model?.output_price_per_million.amount ?? "",
    cached: model?.cached_input_price_per_million?.amount ?? "",
    context: model?.context_window === null || model === null ? "" : String(model.context_window),
    temperature: model?.supports_temperature ?? true,
    deployment: model?.azure_deployment ?? "",
  };
}

/** Adds a model (`model` null) or edits one: names, prices, context window, temperature, Azure deployment. */
export function ModelDialog({ model, onCancel, onSaved }: { model: AdminModelView | null; onCancel: () => void; onSaved: (model: AdminModelView) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form>(() => formOf(model));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof Form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const azure = form.provider === "azure_openai";

  const validate = (): string | null => {
    if (model === null && !MODEL_ID.test(form.id)) return t("admin.models.idInvalid");
    if (form.display_name.trim() === "") return t("admin.models.nameRequired");
    for (const price of [form.input, form.output, form.cached]) {
      if (price !== "" && !PRICE.test(price.trim())) return t("admin.models.priceInvalid");
    }
    if (form.input.trim() === "" || form.output.trim() === "") return t("admin.models.priceInvalid");
    if (form.context !== "" && !/^[1-9]\d{0,9}$/.test(form.context.trim())) return t("admin.models.contextInvalid");
    if (azure && form.deployment.trim() === "") return t("admin.models.deploymentRequired");
    return null;
  };

  const submit = async () => {
    const invalid = validate();
    setError(invalid);
    if (invalid !== null) return;
    setBusy(true);
    const cached = form.cached.trim();
    const context = form.context.trim();
    const deployment = form.deployment.trim();
    try {
      if (model === null) {
        onSaved(
          await createModel({
            id: form.id.trim(),
            provider: form.provider,
            display_name: form.display_name.trim(),
            input_price_per_million: form.input.trim(),
            output_price_per_million: form.output.trim(),
            supports_temperature: form.temperature,
            ...(cached === "" ? {} : { cached_input_price_per_million: cached }),
            ...(context === "" ? {} : { context_window: Number(context) }),
            ...(azure ? { azure_deployment: deployment } : {}),
          }),
        );
      } else {
        const patch: AdminUpdateModel = {
          display_name: form.display_name.trim(),
          input_price_per_million: form.input.trim(),
          output_price_per_million: form.output.trim(),
          cached_input_price_per_million: cached === "" ? null : cached,
          context_window: context === "" ? null : Number(context),
          supports_temperature: form.temperature,
          ...(azure ? { azure_deployment: deployment } : {}),
        };
        onSaved(await updateModel(model.id, patch));
      }
    } catch (err) {
      setError(err instanceof ApiError && err.code === "model_exists" ? t("error.model_exists") : describeError(err, t));
      setBusy(false);
    }
  };

  const input = (key: keyof Form, label: string, props: { inputMode?: "decimal" | "numeric"; hint?: string; disabled?: boolean } = {}) => (
    <div className="field">
      <label htmlFor={"model-" + key}>{label}</label>
      <input
        id={"model-" + key}
        type="text"
        value={String(form[key])}
        onChange={set(key)}
        inputMode={props.inputMode}
        disabled={props.disabled}
        autoComplete="off"
        aria-describedby={props.hint ? "model-" + key + "-hint" : undefined}
      />
      {props.hint && (
        <p id={"model-" + key + "-hint"} className="field-hint">
          {props.hint}
        </p>
      )}
    </div>
  );

  return (
    <FormDialog
      title={model === null ? t("admin.models.addTitle") : t("admin.models.editTitle", { name: model.display_name })}
      testId="model-dialog"
      onSubmit={() => void submit()}
      onCancel={onCancel}
      submitLabel={t("admin.save")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="model-provider">{t("admin.models.provider")}</label>
          <select id="model-provider" value={form.provider} onChange={set("provider")} disabled={model !== null}>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        {input("id", t("admin.models.id"), { hint: t("admin.models.idHint"), disabled: model !== null })}
        {input("display_name", t("admin.models.name"))}
        {azure && input("deployment", t("admin.models.deployment"))}
        {input("input", t("admin.models.inputPrice"), { inputMode: "decimal" })}
        {input("output", t("admin.models.outputPrice"), { inputMode: "decimal" })}
        {input("cached", t("admin.models.cachedInputPrice"), { inputMode: "decimal", hint: t("admin.models.optional") })}
        {input("context", t("admin.models.context"), { inputMode: "numeric", hint: t("admin.models.optional") })}
      </div>
      <label className="check">
        <input type="checkbox" checked={form.temperature} onChange={(e) => setForm((f) => ({ ...f, temperature: e.target.checked }))} /> {t("admin.models.temperature")}
      </label>
      <p className="field-hint">{t("admin.models.priceHint")}</p>
    </FormDialog>
  );
}
