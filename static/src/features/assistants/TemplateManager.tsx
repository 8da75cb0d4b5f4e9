import { useMemo, useState } from "react";
import { ApiError } from "../../api/errors";
import { useI18n, type Translate } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { FormDialog } from "../../components/ui/FormDialog";
import { useSubmission } from "../../components/ui/useSubmission";
import { Icon } from "../../components/ui/Icon";
import { EditDeleteButtons, ManageDialog } from "../../components/ui/ManageDialog";
import { useManagedList } from "./useManagedList";
import { createTemplate, deleteTemplate, updateTemplate } from "./api";
import type { TemplateView } from "../../api/types.gen";

/** The API's limits (hub-templates). */
const MAX_TITLE = 200;
const MAX_BODY = 20_000;
const MAX_DESCRIPTION = 500;

/**
 * The variable names of a body, each once, in order: `{{ name }}` not preceded by an odd number
 * of backslashes (the escape). For the description fields only: the API parses the body and
 * refuses what is malformed, with the position.
 */
export function variablesOf(body: string): string[] {
  const names: string[] = [];
  for (const match of body.matchAll(/(\\*)\{\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}\}/g)) {
    const [, slashes = "", name = ""] = match;
    if (slashes.length % 2 === 0 && !names.includes(name)) names.push(name);
  }
  return names;
}

/** A refused save: with the line and column of a malformed body when the API names them. */
export function describeTemplateError(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    const { line, column } = err.details;
    if (typeof line === "number" && typeof column === "number") {
      const reason = err.details["reason"];
      return t("templates.errorAt", { line, column, message: typeof reason === "string" ? reason : err.message });
    }
  }
  return describeError(err, t);
}

interface ManagerProps {
  templates: TemplateView[] | null;
  isAdmin: boolean;
  onChanged: () => void;
  onClose: () => void;
}

/** Lists the templates the user sees; creates, edits and deletes those they may change. */
export function TemplateManager({ templates, isAdmin, onChanged, onClose }: ManagerProps) {
  const { t } = useI18n();
  const list = useManagedList<TemplateView>((template) => deleteTemplate(template.id), (template) => t("templates.deleted", { title: template.title }), onChanged);
  const { editing, deleting } = list;

  return (
    <ManageDialog
      title={t("templates.manageTitle")}
      testId="template-manager"
      onClose={onClose}
      newLabel={t("templates.new")}
      onNew={() => list.setEditing("new")}
      items={templates}
      emptyText={t("templates.none")}
      status={list.status}
      error={list.error}
      confirmDelete={deleting && { title: t("templates.deleteTitle"), body: t(deleting.scope === "global" ? "templates.deleteBodyGlobal" : "templates.deleteBody", { title: deleting.title }) }}
      onConfirmDelete={list.confirmDelete}
      onCancelDelete={() => list.setDeleting(null)}
    >
      <ul className="manage-list">
        {(templates ?? []).map((template) => (
          <li key={template.id} className="manage-item" data-testid="template-row" data-title={template.title}>
            <span className="assistant-icon" aria-hidden="true">
              <Icon name="template" size={18} />
            </span>
            <div className="manage-text">
              <div className="manage-name">
                {template.title}
                {template.scope === "global" && <span className="badge badge-accent">{t("scope.global")}</span>}
              </div>
              <div className="manage-sub">
                {template.variables.length === 0 ? t("templates.noVariables") : t("templates.variablesList", { names: template.variables.map((v) => v.name).join(", ") })}
              </div>
            </div>
            {template.editable && (
              <div className="manage-buttons">
                <EditDeleteButtons
                  editLabel={t("templates.editLabel", { title: template.title })}
                  deleteLabel={t("templates.deleteLabel", { title: template.title })}
                  onEdit={() => list.setEditing(template)}
                  onDelete={() => list.setDeleting(template)}
                />
              </div>
            )}
          </li>
        ))}
      </ul>
      {editing !== null && (
        <TemplateEditor
          template={editing === "new" ? null : editing}
          isAdmin={isAdmin}
          onCancel={() => list.setEditing(null)}
          onSaved={(saved) => list.saved(t("templates.saved", { title: saved.title }))}
        />
      )}
    </ManageDialog>
  );
}

/** Creates (`template` null) or edits a template: title, body, a description per variable. */
function TemplateEditor({ template, isAdmin, onCancel, onSaved }: { template: TemplateView | null; isAdmin: boolean; onCancel: () => void; onSaved: (template: TemplateView) => void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState(template?.title ?? "");
  const [body, setBody] = useState(template?.body ?? "");
  const [descriptions, setDescriptions] = useState<Record<string, string>>(() =>
    Object.fromEntries((template?.variables ?? []).map((v) => [v.name, v.description ?? ""])),
  );
  const [global, setGlobal] = useState(false);
  const { error, setError, busy, run } = useSubmission((err) => describeTemplateError(err, t));
  const [bodyInvalid, setBodyInvalid] = useState(false);
  const names = useMemo(() => variablesOf(body), [body]);

  const submit = async () => {
    if (title.trim() === "") return setError(t("templates.titleRequired"));
    if (body.trim() === "") return setError(t("templates.bodyRequired"));
    const described: Record<string, string> = {};
    for (const name of names) {
      const text = (descriptions[name] ?? "").trim();
      if (text !== "") described[name] = text;
    }
    setBodyInvalid(false);
    await run(
      () =>
        template === null
          ? createTemplate({ title: title.trim(), body, descriptions: described, scope: isAdmin && global ? "global" : "personal" })
          : updateTemplate(template.id, { title: title.trim(), body, descriptions: described }),
      onSaved,
      (err) => setBodyInvalid(err instanceof ApiError && (err.field === "body" || typeof err.details["line"] === "number")),
    );
  };

  return (
    <FormDialog
      title={template === null ? t("templates.newTitle") : t("templates.editTitle", { title: template.title })}
      testId="template-editor"
      onSubmit={() => void submit()}
      onCancel={onCancel}
      submitLabel={t("admin.save")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
      wide
    >
      <div className="field">
        <label htmlFor="template-title">{t("templates.titleLabel")}</label>
        <input id="template-title" type="text" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={MAX_TITLE} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="template-body">{t("templates.body")}</label>
        <textarea
          id="template-body"
          className="mono"
          rows={7}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          maxLength={MAX_BODY}
          spellCheck={false}
          aria-invalid={bodyInvalid ? true : undefined}
          aria-describedby="template-body-hint"
        />
        <p id="template-body-hint" className="field-hint">
          {t("templates.bodyHint")}
        </p>
      </div>
      {names.length > 0 && (
        <fieldset className="starters-field">
          <legend>{t("templates.descriptions")}</legend>
          {names.map((name) => (
            <div className="field" key={name}>
              <label htmlFor={"template-desc-" + name} className="mono">
                {name}
              </label>
              <input
                id={"template-desc-" + name}
                type="text"
                value={descriptions[name] ?? ""}
                maxLength={MAX_DESCRIPTION}
                placeholder={t("templates.descriptionPlaceholder")}
                onChange={(e) => setDescriptions((all) => ({ ...all, [name]: e.target.value }))}
                autoComplete="off"
              />
            </div>
          ))}
        </fieldset>
      )}
      {isAdmin && template === null && (
        <label className="check">
          <input type="checkbox" checked={global} onChange={(e) => setGlobal(e.target.checked)} /> {t("scope.makeGlobal")}
        </label>
      )}
      {template !== null && <p className="field-hint">{t(template.scope === "global" ? "scope.isGlobal" : "scope.isPersonal")}</p>}
    </FormDialog>
  );
}
