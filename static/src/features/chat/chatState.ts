/**
 * The state of one conversation view and its one update function: the messages as loaded,
 * the user's message while it is on its way, the answer while it streams, and what went wrong.
 */
import type {
  ChatDetail,
  ChatSummary,
  ErrorEvent,
  MessageStartEvent,
  MessageView,
  StreamErrorCode,
} from "../../api/types.gen";
import type { ChatWithKnowledge, KnowledgeMessage, MessageKnowledge, MessageSource } from "../knowledge/types";

/** The answer while it streams. */
export interface AnswerSoFar {
  /** The id it is stored under (from `message_start`); `null` until then. */
  id: string | null;
  model: string | null;
  text: string;
  /** The passages it draws on (the `sources` event), numbered as it cites them. */
  sources: MessageSource[];
}

export interface ChatState {
  /** The conversation: as loaded, plus what this view's answers added. */
  chat: ChatWithKnowledge | null;
  /** The user's message as sent, shown until `message_start` brings the stored one (or a reload). */
  pending: string | null;
  /** The answer under way; `null` when no request is. */
  answer: AnswerSoFar | null;
  loadError: string | null;
  /** A request that failed without a stored answer. */
  failure: string | null;
  notice: string | null;
  /** Codes of answers that failed in this view (message id -> `error` event code). */
  errorCodes: ReadonlyMap<string, StreamErrorCode>;
}

export type ChatAction =
  /** The conversation as stored (opened, or reloaded after a stop). */
  | { type: "loaded"; chat: ChatDetail }
  | { type: "loadFailed"; error: string }
  /** A request begins: a new message (`content`) or `regenerate` of the last answer. */
  | { type: "sending"; content: string | null; model: string | null; regenerate: boolean }
  /** The first message created the conversation. */
  | { type: "created"; chat: ChatSummary }
  /** `message_start`: the user's message is stored, the answer begins. */
  | { type: "started"; event: MessageStartEvent }
  | { type: "delta"; text: string }
  /** `sources`: the passages the answer draws on. */
  | { type: "sources"; sources: MessageSource[] }
  | { type: "titled"; title: string }
  /** The knowledge collections attached to the conversation changed. */
  | { type: "collections"; ids: string[] }
  /** `done`: the stored answer. */
  | { type: "finished"; message: MessageView }
  /** `error`: the stored failed answer, or `failure` when there is none. */
  | { type: "failed"; event: ErrorEvent; failure: string }
  /** The request failed before an answer (refused, network): the pending message goes. */
  | { type: "refused"; failure: string }
  /** The user stopped: what arrived stays, as incomplete, until the stored answer replaces it. */
  | { type: "stopped"; notice: string; at: string }
  /** The request is over, however it ended. */
  | { type: "ended" }
  | { type: "noticeCleared" };

export const initialChatState: ChatState = {
  chat: null,
  pending: null,
  answer: null,
  loadError: null,
  failure: null,
  notice: null,
  errorCodes: new Map(),
};

/** `message` at the end of the list, replacing the one with its id. */
function withMessage(chat: ChatDetail | null, message: MessageView): ChatDetail | null {
  return chat ? { ...chat, messages: [...chat.messages.filter((m) => m.id !== message.id), message] } : chat;
}

/** The stored answer with the sources the stream announced, when it does not carry them itself. */
function withSources(message: MessageView, sources: MessageSource[]): KnowledgeMessage {
  const stored: MessageKnowledge = message;
  return stored.sources === undefined && sources.length > 0 ? { ...message, sources } : message;
}

/** The list without its last message when that is an answer (which `regenerate` replaces). */
function withoutLastAnswer(chat: ChatDetail | null): ChatDetail | null {
  const last = chat?.messages[chat.messages.length - 1];
  return chat && last?.role === "assistant" ? { ...chat, messages: chat.messages.slice(0, -1) } : chat;
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "loaded":
      return { ...state, chat: action.chat, pending: null };
    case "loadFailed":
      return { ...state, loadError: action.error };
    case "sending":
      return {
        ...state,
        // An unconfirmed message stays until the answer to it starts.
        pending: action.content ?? state.pending,
        chat: action.regenerate && state.pending === null ? withoutLastAnswer(state.chat) : state.chat,
        answer: { id: null, model: action.model, text: "", sources: [] },
        failure: null,
        notice: null,
      };
    case "created":
      return { ...state, chat: { ...action.chat, messages: [] } };
    case "started": {
      const { event } = action;
      const chat = withMessage(state.chat, event.user_message);
      return {
        ...state,
        chat: chat ? { ...chat, model: event.model } : chat,
        pending: null,
        answer: { id: event.assistant_message_id, model: event.model, text: "", sources: [] },
      };
    }
    case "delta": {
      const answer = state.answer;
      return { ...state, answer: { id: answer?.id ?? null, model: answer?.model ?? null, text: (answer?.text ?? "") + action.text, sources: answer?.sources ?? [] } };
    }
    case "sources":
      return state.answer === null ? state : { ...state, answer: { ...state.answer, sources: action.sources } };
    case "collections":
      return { ...state, chat: state.chat ? { ...state.chat, collection_ids: action.ids } : state.chat };
    case "titled":
      return { ...state, chat: state.chat ? { ...state.chat, title: action.title } : state.chat };
    case "finished":
      return { ...state, chat: withMessage(state.chat, withSources(action.message, state.answer?.sources ?? [])) };
    case "failed": {
      const stored = action.event.assistant_message;
      if (stored === null) return { ...state, failure: action.failure };
      return {
        ...state,
        chat: withMessage(state.chat, stored),
        errorCodes: new Map(state.errorCodes).set(stored.id, action.event.code),
      };
    }
    case "refused":
      return { ...state, pending: null, failure: action.failure };
    case "stopped": {
      const answer = state.answer;
      const chat = state.chat;
      if (answer === null || answer.id === null || answer.text === "" || chat === null) return { ...state, notice: action.notice };
      const shown: KnowledgeMessage = {
        id: answer.id,
        chat_id: chat.id,
        role: "assistant",
        content: answer.text,
        model: answer.model,
        status: "partial",
        error: null,
        created_at: action.at,
        sources: answer.sources,
        files: [],
      };
      return { ...state, notice: action.notice, chat: { ...chat, messages: [...chat.messages, shown] } };
    }
    case "ended":
      return { ...state, answer: null };
    case "noticeCleared":
      return { ...state, notice: null };
  }
}

/** What the list shows: the stored messages (no system prompt), then the pending one. */
export function shownMessages(state: ChatState): { messages: MessageView[]; pending: string | null } {
  return {
    messages: state.chat?.messages.filter((m) => m.role !== "system") ?? [],
    // It joins the list once there is a conversation to add it to.
    pending: state.chat === null ? null : state.pending,
  };
}
