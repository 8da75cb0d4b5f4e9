import { useEffect } from "react";
import type { ChatSummary, ModelList } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { ModelControls } from "./ModelControls";
import { useChatStream } from "./useChatStream";
import { useDraft } from "./useDraft";
import { useModelSettings } from "./useModelSettings";

interface Props {
  /** The conversation to show; `null` for a new one (created with the first message). */
  chatId: string | null;
  models: ModelList | null;
  onCreated: (chat: ChatSummary) => void;
  /** The conversation changed (title, model): `patch` holds what changed. */
  onChanged: (id: string, patch: Partial<ChatSummary>) => void;
  onAnswerFinished: () => void;
  onMissing: () => void;
}

/** A conversation: its messages, the streaming answer, the model controls and the input. */
export function ChatView({ chatId, models, onCreated, onChanged, onAnswerFinished, onMissing }: Props) {
  const { t } = useI18n();
  const draft = useDraft(chatId);
  const { state, loading, busy, send, stop } = useChatStream(chatId, {
    onCreated: (chat) => {
      draft.moveTo(chat.id, draft.text);
      onCreated(chat);
    },
    onChanged,
    onSent: () => draft.set(""),
    onAnswerFinished,
    onMissing,
  });
  const settings = useModelSettings(models, state.chat, onChanged);
  const title = state.chat?.title ?? null;

  // The window title follows the conversation.
  useEffect(() => {
    document.title = title === null ? t("app.name") : title + " · " + t("app.name");
  }, [title, t]);

  const sendDraft = () => {
    const content = draft.text.trim();
    if (content !== "") send({ content, ...settings.request() });
  };
  const retry = () => send({ regenerate: true, ...settings.request() });

  return (
    <section className="chat-view" aria-label={title ?? t("sidebar.untitled")}>
      <header className="chat-header">
        <h1 className="chat-heading" data-testid="chat-title">
          {title ?? t("sidebar.untitled")}
        </h1>
        <ModelControls
          models={models}
          model={settings.model}
          temperature={settings.temperature}
          disabled={busy}
          onModel={settings.changeModel}
          onTemperature={settings.changeTemperature}
        />
      </header>
      <MessageList state={state} loading={loading} models={models} onRetry={retry} />
      <div className="composer-area">
        <Composer
          value={draft.text}
          onChange={draft.set}
          onSend={sendDraft}
          onStop={stop}
          streaming={busy}
          disabled={loading || (models !== null && models.items.length === 0)}
        />
      </div>
    </section>
  );
}
