import { useEffect, useState } from "react";
import type { ChatSummary, ModelList } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { AssistantBadge } from "../assistants/AssistantIcon";
import type { AssistantView, ChatAssistant, TemplateView } from "../../api/types.gen";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { ModelControls } from "./ModelControls";
import { useChatStream } from "./useChatStream";
import { useDraft } from "./useDraft";
import { useModelSettings } from "./useModelSettings";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { ChatCollections } from "../knowledge/ChatCollections";
import { collectionIdsOf, type AttachedFile, type SendMessageWithFiles } from "../knowledge/types";
import { useUploads } from "../knowledge/useUploads";

interface Props {
  /** The conversation to show; `null` for a new one (created with the first message). */
  chatId: string | null;
  models: ModelList | null;
  onCreated: (chat: ChatSummary) => void;
  /** The conversation changed (title, model): `patch` holds what changed. */
  onChanged: (id: string, patch: Partial<ChatSummary>) => void;
  onAnswerFinished: () => void;
  onMissing: () => void;
  /** The assistant a new conversation is started with (`chatId` null). */
  newAssistant: AssistantView | null;
  /** The assistants the user sees (for a conversation's starters, model and temperature). */
  assistants: AssistantView[] | null;
  templates: TemplateView[] | null;
  onManageTemplates: () => void;
  onError: (err: unknown) => void;
  /** The knowledge collections the user sees (to attach to the conversation); `null` while loading. */
  collections: KnowledgeCollectionView[] | null;
}

/** A conversation: its messages, the streaming answer, the model controls and the input. */
export function ChatView(props: Props) {
  const { chatId, models, onCreated, onChanged, onAnswerFinished, onMissing, newAssistant, assistants } = props;
  const { t } = useI18n();
  const draft = useDraft(chatId);
  const attachments = useUploads(null);
  // The collections a new conversation starts with (an existing one keeps them on the server).
  const [newCollections, setNewCollections] = useState<string[]>([]);
  const { state, loading, busy, send, stop, setCollections } = useChatStream(
    chatId,
    {
    onCreated: (chat) => {
      draft.moveTo(chat.id, draft.text);
      onCreated(chat);
    },
    onChanged,
      onSent: () => {
        draft.set("");
        attachments.clear();
      },
      onAnswerFinished,
      onMissing,
    },
    newAssistant?.id ?? null,
    newCollections,
  );
  const attachedCollections = state.chat !== null ? collectionIdsOf(state.chat) : newCollections;
  const changeCollections = (ids: string[]) => {
    if (state.chat === null) setNewCollections(ids);
    else setCollections(ids).catch(props.onError);
  };
  const readyFiles: AttachedFile[] = attachments.items.flatMap((u) => (u.file?.status === "ready" ? [{ id: u.file.id, name: u.file.name }] : []));
  // The conversation's assistant (as stored), or the one a new conversation starts with.
  const chatAssistant: ChatAssistant | null = state.chat !== null ? state.chat.assistant : chatId === null ? newAssistant : null;
  const assistant = chatAssistant === null ? null : (assistants?.find((a) => a.id === chatAssistant.id) ?? (newAssistant?.id === chatAssistant.id ? newAssistant : null));
  const settings = useModelSettings(models, state.chat, onChanged, assistant);
  const title = state.chat?.title ?? null;

  // The window title follows the conversation.
  useEffect(() => {
    document.title = title === null ? t("app.name") : title + " · " + t("app.name");
  }, [title, t]);

  const sendDraft = () => {
    const content = draft.text.trim();
    if (content === "") return;
    const body: SendMessageWithFiles = { content, ...settings.request() };
    if (readyFiles.length > 0) body.file_ids = readyFiles.map((f) => f.id);
    send(body);
  };
  const retry = () => send({ regenerate: true, ...settings.request() });

  return (
    <section className="chat-view" aria-label={title ?? t("sidebar.untitled")}>
      <header className="chat-header">
        <div className="chat-heading-row">
          <h1 className="chat-heading" data-testid="chat-title">
            {title ?? t("sidebar.untitled")}
          </h1>
          {chatAssistant !== null && (
            <span className="assistant-chip" data-testid="chat-assistant" aria-label={t("assistants.chip", { name: chatAssistant.name })} title={t("assistants.chip", { name: chatAssistant.name })}>
              <AssistantBadge icon={chatAssistant.icon} size={14} />
              <span aria-hidden="true">{chatAssistant.name}</span>
            </span>
          )}
        </div>
        <ModelControls
          models={models}
          model={settings.model}
          temperature={settings.temperature}
          disabled={busy}
          onModel={settings.changeModel}
          onTemperature={settings.changeTemperature}
        />
        <ChatCollections
          collections={props.collections}
          selected={attachedCollections}
          onChange={changeCollections}
          disabled={busy || (chatId !== null && state.chat === null)}
        />
      </header>
      <MessageList
        state={state}
        loading={loading}
        models={models}
        onRetry={retry}
        assistant={assistant ?? (chatAssistant === null ? null : { ...chatAssistant, description: "", starters: [] })}
        onStarter={(content) => {
          if (!busy && !loading) send({ content, ...settings.request() });
        }}
        pendingFiles={readyFiles}
      />
      <div className="composer-area">
        <Composer
          value={draft.text}
          onChange={draft.set}
          onSend={sendDraft}
          onStop={stop}
          streaming={busy}
          disabled={loading || (models !== null && models.items.length === 0)}
          templates={props.templates}
          onManageTemplates={props.onManageTemplates}
          onError={props.onError}
          attachments={attachments}
        />
      </div>
    </section>
  );
}
