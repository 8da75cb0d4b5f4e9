import { useState } from "react";
import type { ModelList } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";
import { FormDialog } from "../../components/ui/FormDialog";
import { useSubmission } from "../../components/ui/useSubmission";
import { Icon } from "../../components/ui/Icon";
import { EditDeleteButtons, ManageDialog } from "../../components/ui/ManageDialog";
import { useManagedList } from "./useManagedList";
import { createAssistant, deleteAssistant, updateAssistant } from "./api";
import { ASSISTANT_ICONS, AssistantBadge } from "./AssistantIcon";
import type { AssistantIcon, AssistantView, KnowledgeCollectionView } from "../../api/types.gen";
import { CollectionChecklist } from "../knowledge/CollectionChecklist";
import type { AssistantWithKnowledge, CreateAssistantWithKnowledge, UpdateAssistantWithKnowledge } from "../knowledge/types";

/** The API's limits (hub-api `CreateAssistant`). */
const MAX_NAME = 100;
const MAX_DESCRIPTION = 500;
const MAX_PROMPT = 20_000;
const MAX_STARTER = 300;
const STARTERS = 4;

interface ManagerProps {
  assistants: AssistantView[] | null;
  models: ModelList | null;
  isAdmin: boolean;
  /** The knowledge collections the user sees (to give an assistant); `null` while loading. */
  collections: KnowledgeCollectionView[] | null;
  onChanged: () => void;
  onStart: (assistant: AssistantView) => void;
  onClose: () => void;
}

/** Lists the assistants the user sees; creates, edits and deletes those they may change. */
export function AssistantManager({ assistants, models, isAdmin, collections, onChanged, onStart, onClose }: ManagerProps) {
  const { t } = useI18n();
  const list = useManagedList<AssistantView>((a) => deleteAssistant(a.id), (a) => t("assistants.deleted", { name: a.name }), onChanged);
  const { editing, deleting } = list;

  return (
    <ManageDialog
      title={t("assistants.manageTitle")}
      testId="assistant-manager"
      onClose={onClose}
      newLabel={t("assistants.new")}
      onNew={() => list.setEditing("new")}
      items={assistants}
      emptyText={t("assistants.none")}
      status={list.status}
      error={list.error}
      confirmDelete={deleting && { title: t("assistants.deleteTitle"), body: t(deleting.scope === "global" ? "assistants.deleteBodyGlobal" : "assistants.deleteBody", { name: deleting.name }) }}
      onConfirmDelete={list.confirmDelete}
      onCancelDelete={() => list.setDeleting(null)}
    >
      <ul className="manage-list">
        {(assistants ?? []).map((assistant) => (
          <li key={assistant.id} className="manage-item" data-testid="assistant-row" data-name={assistant.name}>
            <AssistantBadge icon={assistant.icon} size={18} />
            <div className="manage-text">
              <div className="manage-name">
                {assistant.name}
                {assistant.scope === "global" && <span className="badge badge-accent">{t("scope.global")}</span>}
              </div>
              {assistant.description !== "" && <div className="manage-sub">{assistant.description}</div>}
            </div>
            <div className="manage-buttons">
              <button type="button" className="btn btn-ghost btn-small" onClick={() => onStart(assistant)} aria-label={t("assistants.startWith", { name: assistant.name })}>
                <Icon name="chat" size={15} /> <span className="wide-label">{t("assistants.start")}</span>
              </button>
              {assistant.editable && (
                <>
                  <EditDeleteButtons
                    editLabel={t("assistants.editLabel", { name: assistant.name })}
                    deleteLabel={t("assistants.deleteLabel", { name: assistant.name })}
                    onEdit={() => list.setEditing(assistant)}
                    onDelete={() => list.setDeleting(assistant)}
                  />
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
      {editing !== null && (
        <AssistantEditor
          assistant={editing === "new" ? null : editing}
          models={models}
          isAdmin={isAdmin}
          collections={collections}
          onCancel={() => list.setEditing(null)}
          onSaved={(saved) => list.saved(t("assistants.saved", { name: saved.name }))}
        />
      )}
    </ManageDialog>
  );
}

interface Form {
  name: string;
  description: string;
  icon: AssistantIcon;
  prompt: string;
  model: string;
  temperature: string;
  starters: string[];
  global: boolean;
  collections: string[];
}

function formOf(assistant: AssistantWithKnowledge | null): Form {
  const starters = [...(assistant?.starters ?? [])];
  while (starters.length < STARTERS) starters.push("");
  return {
    name: assistant?.name ?? "",
    description: assistant?.description ?? "",
    icon: assistant?.icon ?? "sparkles",
    prompt: assistant?.system_prompt ?? "",
    model: assistant?.model ?? "",
    temperature: assistant?.temperature === null || assistant === null ? "" : String(assistant.temperature),
    starters,
    global: assistant?.scope === "global",
    collections: assistant?.collection_ids ?? [],
  };
}

/** Creates (`assistant` null) or edits an assistant; the scope is chosen once, when creating. */
function AssistantEditor({
  assistant,
  models,
  isAdmin,
  collections,
  onCancel,
  onSaved,
}: {
  assistant: AssistantWithKnowledge | null;
  models: ModelList | null;
  isAdmin: boolean;
  collections: KnowledgeCollectionView[] | null;
  onCancel: () => void;
  onSaved: (assistant: AssistantView) => void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form>(() => formOf(assistant));
  const { error, setError, busy, run } = useSubmission();
  const set = (key: "name" | "description" | "prompt" | "model" | "temperature") => (event: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: event.target.value }));
  // A model the assistant names that is no longer enabled stays choosable (shown by its id).
  const modelItems = models?.items ?? [];
  const unknownModel = form.model !== "" && !modelItems.some((m) => m.id === form.model);
  // A global assistant draws on global collections only.
  const global = assistant === null ? isAdmin && form.global : assistant.scope === "global";
  const offered = collections === null ? null : collections.filter((c) => !global || c.scope === "global");

  const validate = (): string | null => {
    if (form.name.trim() === "") return t("assistants.nameRequired");
    if (form.prompt.trim() === "") return t("assistants.promptRequired");
    const temperature = form.temperature.trim().replace(",", ".");
    if (temperature !== "" && !(/^\d(\.\d+)?$/.test(temperature) && Number(temperature) <= 2)) return t("assistants.temperatureInvalid");
    return null;
  };

  const submit = async () => {
    const invalid = validate();
    setError(invalid);
    if (invalid !== null) return;
    const temperature = form.temperature.trim().replace(",", ".");
    const fields = {
      name: form.name.trim(),
      description: form.description.trim(),
      icon: form.icon,
      system_prompt: form.prompt,
      model: form.model === "" ? null : form.model,
      temperature: temperature === "" ? null : Number(temperature),
      starters: form.starters.map((s) => s.trim()).filter((s) => s !== ""),
    };
    const chosen = form.collections.filter((c) => offered?.some((o) => o.id === c) ?? true);
    const before = assistant?.collection_ids ?? [];
    const collectionsChanged = chosen.length !== before.length || chosen.some((c) => !before.includes(c));
    const { model, temperature: chosenTemperature, ...rest } = fields;
    const create: CreateAssistantWithKnowledge = {
      ...rest,
      ...(model === null ? {} : { model }),
      ...(chosenTemperature === null ? {} : { temperature: chosenTemperature }),
      ...(chosen.length === 0 ? {} : { collection_ids: chosen }),
      scope: isAdmin && form.global ? "global" : "personal",
    };
    const update: UpdateAssistantWithKnowledge = { ...fields, ...(collectionsChanged ? { collection_ids: chosen } : {}) };
    await run(() => (assistant === null ? createAssistant(create) : updateAssistant(assistant.id, update)), onSaved);
  };

  return (
    <FormDialog
      title={assistant === null ? t("assistants.newTitle") : t("assistants.editTitle", { name: assistant.name })}
      testId="assistant-editor"
      onSubmit={() => void submit()}
      onCancel={onCancel}
      submitLabel={t("admin.save")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
      wide
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="assistant-name">{t("assistants.name")}</label>
          <input id="assistant-name" type="text" value={form.name} onChange={set("name")} maxLength={MAX_NAME} autoComplete="off" required />
        </div>
        <div className="field">
          <label htmlFor="assistant-description">{t("assistants.description")}</label>
          <input id="assistant-description" type="text" value={form.description} onChange={set("description")} maxLength={MAX_DESCRIPTION} autoComplete="off" />
        </div>
      </div>
      <fieldset className="icon-picker">
        <legend>{t("assistants.icon")}</legend>
        <div className="icon-options">
          {(Object.keys(ASSISTANT_ICONS) as AssistantIcon[]).map((icon) => (
            <label key={icon} className={icon === form.icon ? "icon-option selected" : "icon-option"} title={t(("icon." + icon) as MessageKey)}>
              <input
                type="radio"
                name="assistant-icon"
                value={icon}
                checked={icon === form.icon}
                onChange={() => setForm((f) => ({ ...f, icon }))}
                className="icon-radio"
                aria-label={t(("icon." + icon) as MessageKey)}
              />
              <Icon name={ASSISTANT_ICONS[icon]} size={18} />
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="assistant-prompt">{t("assistants.prompt")}</label>
        <textarea id="assistant-prompt" rows={6} value={form.prompt} onChange={set("prompt")} maxLength={MAX_PROMPT} aria-describedby="assistant-prompt-hint" />
        <p id="assistant-prompt-hint" className="field-hint">
          {t("assistants.promptHint", { count: form.prompt.length, max: MAX_PROMPT })}
        </p>
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="assistant-model">{t("assistants.model")}</label>
          <select id="assistant-model" value={form.model} onChange={set("model")}>
            <option value="">{t("assistants.modelNone")}</option>
            {unknownModel && <option value={form.model}>{form.model}</option>}
            {modelItems.map((m) => (
              <option key={m.id} value={m.id}>
                {m.display_name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="assistant-temperature">{t("assistants.temperature")}</label>
          <input
            id="assistant-temperature"
            type="text"
            inputMode="decimal"
            value={form.temperature}
            onChange={set("temperature")}
            placeholder={t("chat.temperatureDefault")}
            aria-describedby="assistant-temperature-hint"
            autoComplete="off"
          />
          <p id="assistant-temperature-hint" className="field-hint">
            {t("assistants.temperatureHint")}
          </p>
        </div>
      </div>
      <fieldset className="starters-field">
        <legend>{t("assistants.starters")}</legend>
        <p className="field-hint">{t("assistants.startersHint")}</p>
        {form.starters.map((starter, index) => (
          <input
            key={index}
            type="text"
            value={starter}
            maxLength={MAX_STARTER}
            aria-label={t("assistants.starterLabel", { n: index + 1 })}
            onChange={(e) => setForm((f) => ({ ...f, starters: f.starters.map((s, i) => (i === index ? e.target.value : s)) }))}
            autoComplete="off"
          />
        ))}
      </fieldset>
      <CollectionChecklist
        legend={t("assistants.collections")}
        hint={t(global ? "assistants.collectionsGlobalHint" : "assistants.collectionsHint")}
        collections={offered}
        selected={form.collections}
        onChange={(ids) => setForm((f) => ({ ...f, collections: ids }))}
      />
      {isAdmin && assistant === null && (
        <label className="check">
          <input type="checkbox" checked={form.global} onChange={(e) => setForm((f) => ({ ...f, global: e.target.checked }))} /> {t("scope.makeGlobal")}
        </label>
      )}
      {assistant !== null && <p className="field-hint">{t(assistant.scope === "global" ? "scope.isGlobal" : "scope.isPersonal")}</p>}
    </FormDialog>
  );
}
