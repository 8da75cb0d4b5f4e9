import { useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { FormDialog } from "../../components/ui/FormDialog";
import { useSubmission } from "../../components/ui/useSubmission";
import { renderTemplate } from "./api";
import type { TemplateView } from "../../api/types.gen";

/**
 * Asks for the value of each variable of `template` (with its description), has the API fill
 * the body, and hands the text over. Every field must be filled in.
 */
export function TemplateFillDialog({ template, onCancel, onFilled }: { template: TemplateView; onCancel: () => void; onFilled: (text: string) => void }) {
  const { t } = useI18n();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(template.variables.map((v) => [v.name, ""])));
  const { error, setError, busy, run } = useSubmission();
  const [missing, setMissing] = useState<string[]>([]);

  const submit = async () => {
    const empty = template.variables.filter((v) => (values[v.name] ?? "").trim() === "").map((v) => v.name);
    setMissing(empty);
    if (empty.length > 0) return setError(t("templates.fillAll", { names: empty.join(", ") }));
    await run(() => renderTemplate(template.id, values), onFilled);
  };

  return (
    <FormDialog
      title={template.title}
      testId="template-fill"
      onSubmit={() => void submit()}
      onCancel={onCancel}
      submitLabel={t("templates.insert")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
    >
      <p className="field-hint fill-intro">{t("templates.fillIntro")}</p>
      {template.variables.map((variable) => {
        const id = "template-var-" + variable.name;
        return (
          <div className="field" key={variable.name}>
            <label htmlFor={id}>{variable.name}</label>
            <textarea
              id={id}
              rows={2}
              value={values[variable.name] ?? ""}
              onChange={(e) => setValues((all) => ({ ...all, [variable.name]: e.target.value }))}
              onKeyDown={(e) => {
                // Enter inserts the text, as in the composer; Shift+Enter adds a line.
                if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
              aria-describedby={variable.description ? id + "-hint" : undefined}
              aria-invalid={missing.includes(variable.name) ? true : undefined}
              maxLength={100_000}
            />
            {variable.description && (
              <p id={id + "-hint"} className="field-hint">
                {variable.description}
              </p>
            )}
          </div>
        );
      })}
    </FormDialog>
  );
}
