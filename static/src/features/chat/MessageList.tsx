import { useEffect, useMemo, useRef } from "react";
import type { ModelList } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { shownMessages, type ChatState } from "./chatState";
import { MessageItem, StreamingAnswer, UserMessage } from "./MessageItem";
import { ASSISTANT_ICONS } from "../assistants/AssistantIcon";
import type { AssistantView } from "../../api/types.gen";
import type { AttachedFile } from "../knowledge/types";

interface Props {
  state: ChatState;
  loading: boolean;
  models: ModelList | null;
  /** Answers the last question again (offered after a failure). */
  onRetry: () => void;
  /** The conversation's assistant: an empty conversation shows it and its starters. */
  assistant: Pick<AssistantView, "name" | "icon" | "description" | "starters"> | null;
  /** Sends a conversation starter. */
  onStarter: (content: string) => void;
  /** The files sent with the message on its way. */
  pendingFiles?: readonly AttachedFile[];
}

/** The scrolling list: messages, the answer while it streams, failures and notices. */
export function MessageList({ state, loading, models, onRetry, assistant, onStarter, pendingFiles = [] }: Props) {
  const { t } = useI18n();
  const listRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const modelNames = useMemo(() => new Map((models?.items ?? []).map((m) => [m.id, m.display_name])), [models]);
  const modelName = (id: string | null) => (id ? modelNames.get(id) ?? id : null);

  const { answer, failure, notice, loadError } = state;
  const { messages, pending } = shownMessages(state);
  const shownCount = state.chat === null ? undefined : state.chat.messages.length + (pending === null ? 0 : 1);

  // Follow the answer while the user is at the bottom of the list.
  useEffect(() => {
    const list = listRef.current;
    if (list && stickToBottom.current) list.scrollTop = list.scrollHeight;
  }, [shownCount, answer?.text]);

  // The message still on its way is the last one shown.
  const last = pending === null ? messages[messages.length - 1] : undefined;
  const lastIsQuestion = pending !== null || last?.role === "user";
  const canRetry = answer === null && (failure !== null || (last?.role === "assistant" && last.status === "error"));

  return (
    <div
      className="messages"
      ref={listRef}
      id="main-content"
      tabIndex={-1}
      aria-label={t("chat.messages")}
      onScroll={(e) => {
        const el = e.currentTarget;
        stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      }}
    >
      <div className="messages-inner">
        {loading && <p className="muted center">{t("chat.loading")}</p>}
        {loadError && (
          <p className="notice notice-error" role="alert">
            {loadError}
          </p>
        )}
        {!loading && messages.length === 0 && pending === null && answer === null && !loadError && assistant !== null && (
          <div className="empty-chat" data-testid="assistant-empty">
            <span className="empty-mark" aria-hidden="true">
              <Icon name={ASSISTANT_ICONS[assistant.icon]} size={28} />
            </span>
            <h2>{assistant.name}</h2>
            {assistant.description !== "" && <p className="muted">{assistant.description}</p>}
            <p className="muted">{t(assistant.starters.length > 0 ? "assistants.emptyHint" : "assistants.emptyHintNoStarters")}</p>
            {assistant.starters.length > 0 && (
              <ul className="starters" aria-label={t("assistants.startersLabel")}>
                {assistant.starters.map((starter) => (
                  <li key={starter}>
                    <button type="button" className="starter" onClick={() => onStarter(starter)} data-testid="starter">
                      {starter}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {!loading && messages.length === 0 && pending === null && answer === null && !loadError && assistant === null && (
          <div className="empty-chat">
            <span className="empty-mark" aria-hidden="true">
              <Icon name="spark" size={28} />
            </span>
            <h2>{t("chat.emptyTitle")}</h2>
            <p className="muted">{t("chat.emptyHint")}</p>
          </div>
        )}
        {messages.map((message) => (
          <MessageItem
            key={message.id}
            message={message}
            modelName={modelName(message.model)}
            onRetry={canRetry && message === last && message.role === "assistant" ? onRetry : undefined}
            errorCode={state.errorCodes.get(message.id)}
          />
        ))}
        {pending !== null && <UserMessage content={pending} files={pendingFiles} />}
        {answer && <StreamingAnswer text={answer.text} modelName={modelName(answer.model)} sources={answer.sources} />}
        {failure && (
          <div className="notice notice-error failure" role="alert" data-testid="send-error">
            <span>
              <Icon name="alert" /> {failure}
            </span>
            {canRetry && lastIsQuestion && (
              <button type="button" className="btn btn-secondary btn-small" onClick={onRetry}>
                <Icon name="retry" size={15} /> {t("chat.retry")}
              </button>
            )}
          </div>
        )}
        {notice && (
          <p className="notice notice-info" role="status">
            {notice}
          </p>
        )}
      </div>
    </div>
  );
}
