import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createChat, getChat, updateChat } from "../../api/endpoints";
import { ApiError, SessionExpiredError } from "../../api/errors";
import { streamMessage } from "../../api/stream";
import type { ChatDetail, ChatSummary, MessageView, ModelList, SendMessage } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { describeError, describeStreamError } from "../../lib/errors";
import { Icon } from "../../components/ui/Icon";
import { Composer } from "./Composer";
import { loadDraft, saveDraft } from "./draft";
import { MessageItem, StreamingAnswer } from "./MessageItem";
import { ModelControls } from "./ModelControls";

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

interface Streaming {
  text: string;
  model: string | null;
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}

/** A conversation: its messages, the streaming answer, the model controls and the input. */
export function ChatView({ chatId, models, onCreated, onChanged, onAnswerFinished, onMissing }: Props) {
  const { t } = useI18n();
  const [chat, setChat] = useState<ChatDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [streaming, setStreaming] = useState<Streaming | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  /** Codes of answers that failed in this view (message id -> `error` event code). */
  const [errorCodes, setErrorCodes] = useState<ReadonlyMap<string, string>>(new Map());
  const [notice, setNotice] = useState<string | null>(null);
  // The user's choices in this view; otherwise the conversation's, else the default model.
  const [modelChoice, setModelChoice] = useState<string | null>(null);
  const [temperatureChoice, setTemperatureChoice] = useState<number | null>(null);
  const [draft, setDraftState] = useState(() => loadDraft(chatId));
  const abortRef = useRef<AbortController | null>(null);
  /** The streaming answer's id and text so far, for keeping it on screen after a stop. */
  const answerSoFar = useRef<{ id: string | null; text: string; model: string | null }>({ id: null, text: "", model: null });
  const currentId = useRef<string | null>(chatId);
  const listRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  const modelNames = useMemo(() => new Map((models?.items ?? []).map((m) => [m.id, m.display_name])), [models]);

  const setDraft = useCallback((text: string) => {
    setDraftState(text);
    saveDraft(currentId.current, text);
  }, []);

  // Loads the conversation when the view opens one it did not create itself.
  useEffect(() => {
    if (chatId === null || chatId === chat?.id) return;
    const controller = new AbortController();
    currentId.current = chatId;
    getChat(chatId, controller.signal).then(
      (detail) => setChat(detail),
      (err: unknown) => {
        if (isAbort(err) || err instanceof SessionExpiredError) return;
        if (err instanceof ApiError && err.status === 404) onMissing();
        else setLoadError(describeError(err, t));
      },
    );
    return () => controller.abort();
    // Only a change of the conversation reloads it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [chatId]);

  // The window title follows the conversation.
  const title = chat?.title ?? null;
  useEffect(() => {
    document.title = title === null ? t("app.name") : title + " · " + t("app.name");
  }, [title, t]);

  const loading = chatId !== null && chat?.id !== chatId && loadError === null;
  const model = modelChoice ?? chat?.model ?? models?.default_model ?? models?.items[0]?.id ?? null;
  const temperature = temperatureChoice ?? chat?.temperature ?? null;

  // Abort a running answer (and stop waiting for a stopped one) when the view goes away.
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      abortRef.current?.abort();
    };
  }, []);

  // Follow the answer while the user is at the bottom of the list.
  useEffect(() => {
    const list = listRef.current;
    if (list && stickToBottom.current) list.scrollTop = list.scrollHeight;
  }, [chat?.messages.length, streaming?.text]);

  const selectedModel = models?.items.find((m) => m.id === model);

  const reload = useCallback(async (id: string): Promise<ChatDetail | null> => {
    try {
      const detail = await getChat(id);
      if (currentId.current === id) setChat(detail);
      return detail;
    } catch {
      // A failed refresh leaves what is shown.
      return null;
    }
  }, []);

  /** After a stop: reloads the conversation until the answer is stored (or gives up). */
  const awaitStoredAnswer = async (id: string) => {
    for (let attempt = 0; attempt < 30; attempt++) {
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
      if (!alive.current || currentId.current !== id) return;
      const detail = await reload(id);
      const last = detail?.messages[detail.messages.length - 1];
      if (last?.role === "assistant" && last.status !== "partial") {
        setNotice(null);
        return;
      }
    }
  };

  const run = async (body: SendMessage) => {
    setFailure(null);
    setNotice(null);
    let id = chat?.id ?? chatId;
    const pending: MessageView | null =
      body.content === undefined
        ? null
        : {
            id: "pending",
            chat_id: id ?? "",
            role: "user",
            content: body.content,
            model: null,
            status: "complete",
            error: null,
            created_at: new Date().toISOString(),
          };
    setStreaming({ text: "", model: body.model ?? model });
    answerSoFar.current = { id: null, text: "", model: body.model ?? model };
    const controller = new AbortController();
    abortRef.current = controller;
    try {
      if (id === null) {
        const created = await createChat({
          ...(body.model === undefined ? {} : { model: body.model }),
          ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
        });
        id = created.id;
        currentId.current = id;
        saveDraft(null, "");
        saveDraft(id, draft);
        setChat({ ...created, messages: [] });
        onCreated(created);
      }
      const chatKey = id;
      if (pending) setChat((c) => (c ? { ...c, messages: [...c.messages, { ...pending, chat_id: chatKey }] } : c));
      await streamMessage(
        chatKey,
        body,
        {
          onStart: (event) => {
            setChat((c) =>
              c
                ? {
                    ...c,
                    model: event.model,
                    messages: [...c.messages.filter((m) => m.id !== "pending" && m.id !== event.user_message.id), event.user_message],
                  }
                : c,
            );
            setStreaming({ text: "", model: event.model });
            answerSoFar.current = { id: event.assistant_message_id, text: "", model: event.model };
            if (body.content !== undefined) setDraft("");
          },
          onDelta: (event) => {
            answerSoFar.current.text += event.text;
            setStreaming((s) => ({ model: s?.model ?? null, text: (s?.text ?? "") + event.text }));
          },
          onUsage: () => undefined,
          onTitle: (event) => {
            setChat((c) => (c ? { ...c, title: event.title } : c));
            onChanged(chatKey, { title: event.title });
          },
          onDone: (event) => {
            setChat((c) => (c ? { ...c, messages: [...c.messages.filter((m) => m.id !== event.message.id), event.message] } : c));
          },
          onError: (event) => {
            const stored = event.assistant_message;
            if (stored) {
              setErrorCodes((codes) => new Map(codes).set(stored.id, event.code));
              setChat((c) => (c ? { ...c, messages: [...c.messages.filter((m) => m.id !== stored.id), stored] } : c));
            } else setFailure(describeStreamError(event.code, t) ?? event.message);
          },
        },
        controller.signal,
      );
    } catch (err) {
      if (isAbort(err)) {
        setNotice(t("chat.stopped"));
        // What arrived stays visible (as incomplete) until the stored answer replaces it.
        const soFar = answerSoFar.current;
        const chatKey = id;
        if (soFar.text !== "" && chatKey !== null) {
          const shown: MessageView = {
            id: soFar.id ?? "stopped",
            chat_id: chatKey,
            role: "assistant",
            content: soFar.text,
            model: soFar.model,
            status: "partial",
            error: null,
            created_at: new Date().toISOString(),
          };
          setChat((c) => (c ? { ...c, messages: [...c.messages, shown] } : c));
        }
        // The server finishes and stores the answer: show it when it is there.
        if (id !== null) void awaitStoredAnswer(id);
      } else if (!(err instanceof SessionExpiredError)) {
        setChat((c) => (c ? { ...c, messages: c.messages.filter((m) => m.id !== "pending") } : c));
        setFailure(describeError(err, t));
      }
    } finally {
      abortRef.current = null;
      setStreaming(null);
      onAnswerFinished();
    }
  };

  const settings = (): Pick<SendMessage, "model" | "temperature"> => ({
    ...(model === null ? {} : { model }),
    ...(temperature !== null && selectedModel?.supports_temperature ? { temperature } : {}),
  });

  const send = () => {
    const content = draft.trim();
    if (content === "" || streaming) return;
    void run({ content, ...settings() });
  };

  const retry = () => {
    if (streaming) return;
    // The failed answer is replaced by the new one.
    setChat((c) => {
      if (!c) return c;
      const last = c.messages[c.messages.length - 1];
      return last?.role === "assistant" ? { ...c, messages: c.messages.slice(0, -1) } : c;
    });
    void run({ regenerate: true, ...settings() });
  };

  const changeModel = (id: string) => {
    setModelChoice(id);
    if (chat) void updateChat(chat.id, { model: id }).then((summary) => onChanged(summary.id, summary), () => undefined);
  };
  const changeTemperature = (value: number | null) => setTemperatureChoice(value);

  const messages = chat?.messages.filter((m) => m.role !== "system") ?? [];
  const last = messages[messages.length - 1];
  const canRetry = !streaming && (failure !== null || (last?.role === "assistant" && last.status === "error"));

  return (
    <section className="chat-view" aria-label={chat?.title ?? t("sidebar.untitled")}>
      <header className="chat-header">
        <h1 className="chat-heading" data-testid="chat-title">
          {chat?.title ?? t("sidebar.untitled")}
        </h1>
        <ModelControls
          models={models}
          model={model}
          temperature={temperature}
          disabled={streaming !== null}
          onModel={changeModel}
          onTemperature={changeTemperature}
        />
      </header>
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
          {!loading && messages.length === 0 && streaming === null && !loadError && (
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
              modelName={message.model ? modelNames.get(message.model) ?? message.model : null}
              onRetry={canRetry && message === last && message.role === "assistant" ? retry : undefined}
              errorCode={errorCodes.get(message.id)}
            />
          ))}
          {streaming && <StreamingAnswer text={streaming.text} modelName={streaming.model ? modelNames.get(streaming.model) ?? streaming.model : null} />}
          {failure && (
            <div className="notice notice-error failure" role="alert" data-testid="send-error">
              <span>
                <Icon name="alert" /> {failure}
              </span>
              {canRetry && last?.role === "user" && (
                <button type="button" className="btn btn-secondary btn-small" onClick={retry}>
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
      <div className="composer-area">
        <Composer
          value={draft}
          onChange={setDraft}
          onSend={send}
          onStop={() => abortRef.current?.abort()}
          streaming={streaming !== null}
          disabled={loading || (models !== null && models.items.length === 0)}
        />
      </div>
    </section>
  );
}
