import { useId } from "react";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { AssistantBadge } from "./AssistantIcon";
import type { AssistantView } from "../../api/types.gen";

interface Props {
  assistants: AssistantView[] | null;
  /** The assistant of the conversation shown, if any. */
  selectedId: string | null;
  onStart: (assistant: AssistantView) => void;
  onManage: () => void;
}

/** The sidebar's assistants, everyone's first, then the user's own: each starts a new chat. */
export function AssistantSection({ assistants, selectedId, onStart, onManage }: Props) {
  const { t } = useI18n();
  const id = useId();
  const groups: [string, AssistantView[]][] = [
    [t("assistants.global"), (assistants ?? []).filter((a) => a.scope === "global")],
    [t("assistants.mine"), (assistants ?? []).filter((a) => a.scope === "personal")],
  ];
  return (
    <section className="assistant-section" aria-labelledby={id + "title"} data-testid="assistant-section">
      <div className="assistant-section-head">
        <h2 id={id + "title"} className="chat-group">
          {t("assistants.title")}
        </h2>
        <button type="button" className="icon-button small" aria-label={t("assistants.manage")} title={t("assistants.manage")} onClick={onManage} data-testid="manage-assistants">
          <Icon name="settings" size={16} />
        </button>
      </div>
      {assistants !== null && assistants.length === 0 && (
        <button type="button" className="link-button assistant-empty" onClick={onManage}>
          {t("assistants.createFirst")}
        </button>
      )}
      {groups.map(([label, items]) =>
        items.length === 0 ? null : (
          <div key={label} className="assistant-group">
            <h3 className="assistant-group-label">{label}</h3>
            <ul>
              {items.map((assistant) => (
                <li key={assistant.id}>
                  <button
                    type="button"
                    className={assistant.id === selectedId ? "assistant-link selected" : "assistant-link"}
                    aria-current={assistant.id === selectedId ? "true" : undefined}
                    title={assistant.description === "" ? t("assistants.startWith", { name: assistant.name }) : assistant.description}
                    onClick={() => onStart(assistant)}
                    data-testid="assistant-link"
                    data-assistant={assistant.name}
                  >
                    <AssistantBadge icon={assistant.icon} size={14} />
                    <span className="chat-title">{assistant.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </section>
  );
}
