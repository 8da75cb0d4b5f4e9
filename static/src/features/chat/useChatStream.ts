import { useEffect, useReducer, useRef } from "react";
import { createChat, getChat, updateChat } from "../../api/endpoints";
import { ApiError, SessionExpiredError } from "../../api/errors";
import { streamMessage } from "../../api/stream";
import type { ChatSummary } from "../../api/types.gen";
import type { SendMessageWithFiles, UpdateChatWithKnowledge } from "../knowledge/types";
import { useI18n } from "../../i18n/I18n";
import { describeError, describeStreamError } from "../../lib/errors";
import { chatReducer, initialChatState, type ChatState } from "./chatState";

export interface ChatStreamEvents {
  /** The first message created the conversation. */
  onCreated: (chat: ChatSummary) => void;
  /** The conversation changed (its title): `patch` holds what changed. */
  onChanged: (id: string, patch: Partial<ChatSummary>) => void;
  /** The user's message is stored: the input can be emptied. */
  onSent: () => void;
  /** A request ended, however it ended. */
  onAnswerFinished: () => void;
  /** The conversation to open does not exist. */
  onMissing: () => void;
}

export interface ChatStream {
  state: ChatState;
  /** The conversation to show is still on its way. */
  loading: boolean;
  /** A request is under way (until it ends, however). */
  busy: boolean;
  /** Sends a message, or `regenerate`s the last answer; ignored while busy. */
  send: (body: SendMessageWithFiles) => void;
  /** Aborts the request; the server completes and stores the answer, which then appears. */
  stop: () => void;
  /** Replaces the knowledge collections of the (stored) conversation. */
  setCollections: (ids: string[]) => Promise<void>;
}

/** How often, a second apart, the view looks for the stored answer after a stop. */
const STORED_ANSWER_ATTEMPTS = 30;

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}

/**
 * One conversation: loads it, sends messages and follows the answer stream. `chatId` is the
 * conversation to show; `null` for a new one, created with the first message (with the
 * assistant `assistantId`, if given, and the knowledge collections `collectionIds`).
 */
export function useChatStream(
  chatId: string | null,
  events: ChatStreamEvents,
  assistantId: string | null = null,
  collectionIds: readonly string[] = [],
): ChatStream {
  const { t } = useI18n();
  const [state, dispatch] = useReducer(chatReducer, initialChatState);
  const abortRef = useRef<AbortController | null>(null);
  /** The conversation the view is on: late answers for another one are dropped. */
  const currentId = useRef<string | null>(chatId);
  const alive = useRef(true);

  // Loads the conversation when the view opens one it did not create itself.
  useEffect(() => {
    if (chatId === null || chatId === state.chat?.id) return;
    const controller = new AbortController();
    currentId.current = chatId;
    getChat(chatId, controller.signal).then(
      (chat) => dispatch({ type: "loaded", chat }),
      (err: unknown) => {
        if (isAbort(err) || err instanceof SessionExpiredError) return;
        if (err instanceof ApiError && err.status === 404) events.onMissing();
        else dispatch({ type: "loadFailed", error: describeError(err, t) });
      },
    );
    return () => controller.abort();
    // Only a change of the conversation reloads it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [chatId]);

  // Abort a running answer (and stop waiting for a stopped one) when the view goes away.
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      abortRef.current?.abort();
    };
  }, []);

  /** After a stop: reloads the conversation until the answer is stored (or gives up). */
  const awaitStoredAnswer = async (id: string) => {
    for (let attempt = 0; attempt < STORED_ANSWER_ATTEMPTS; attempt++) {
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
      if (!alive.current || currentId.current !== id) return;
      // A failed refresh leaves what is shown.
      const chat = await getChat(id).catch(() => null);
      if (chat === null) continue;
      if (currentId.current === id) dispatch({ type: "loaded", chat });
      const last = chat.messages[chat.messages.length - 1];
      if (last?.role === "assistant" && last.status !== "partial") {
        dispatch({ type: "noticeCleared" });
        return;
      }
    }
  };

  const run = async (body: SendMessageWithFiles) => {
    let id = state.chat?.id ?? chatId;
    dispatch({ type: "sending", content: body.content ?? null, model: body.model ?? null, regenerate: body.regenerate === true });
    const controller = new AbortController();
    abortRef.current = controller;
    try {
      if (id === null) {
        const created = await createChat({
          ...(body.model === undefined ? {} : { model: body.model }),
          ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
          ...(assistantId === null ? {} : { assistant_id: assistantId }),
        });
        id = created.id;
        currentId.current = id;
        dispatch({ type: "created", chat: created });
        events.onCreated(created);
        if (collectionIds.length > 0) {
          const patch: UpdateChatWithKnowledge = { collection_ids: [...collectionIds] };
          await updateChat(id, patch);
          dispatch({ type: "collections", ids: [...collectionIds] });
        }
      }
      const chatKey = id;
      await streamMessage(
        chatKey,
        body,
        {
          onStart: (event) => {
            dispatch({ type: "started", event });
            if (body.content !== undefined) events.onSent();
          },
          onDelta: (event) => dispatch({ type: "delta", text: event.text }),
          onSources: (event) => dispatch({ type: "sources", sources: event.sources }),
          onUsage: () => undefined,
          onTitle: (event) => {
            dispatch({ type: "titled", title: event.title });
            events.onChanged(chatKey, { title: event.title });
          },
          onDone: (event) => dispatch({ type: "finished", message: event.message }),
          onError: (event) => dispatch({ type: "failed", event, failure: describeStreamError(event.code, t) ?? event.message }),
        },
        controller.signal,
      );
    } catch (err) {
      if (isAbort(err)) {
        dispatch({ type: "stopped", notice: t("chat.stopped"), at: new Date().toISOString() });
        // The server finishes and stores the answer: show it when it is there.
        if (id !== null) void awaitStoredAnswer(id);
      } else if (!(err instanceof SessionExpiredError)) {
        dispatch({ type: "refused", failure: describeError(err, t) });
      }
    } finally {
      abortRef.current = null;
      dispatch({ type: "ended" });
      events.onAnswerFinished();
    }
  };

  const busy = state.answer !== null;
  return {
    state,
    loading: chatId !== null && state.chat?.id !== chatId && state.loadError === null,
    busy,
    send: (body) => {
      if (!busy) void run(body);
    },
    stop: () => abortRef.current?.abort(),
    setCollections: async (ids) => {
      const id = state.chat?.id;
      if (id === undefined) return;
      const patch: UpdateChatWithKnowledge = { collection_ids: ids };
      await updateChat(id, patch);
      dispatch({ type: "collections", ids });
    },
  };
}
