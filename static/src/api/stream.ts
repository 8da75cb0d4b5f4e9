/** `POST /api/chats/{id}/messages`: the answer as a stream of typed events. */
import { authedFetch } from "./client";
import { ApiError } from "./errors";
import { SseParser } from "./sse";
import type {
  ChatEventName,
  DeltaEvent,
  DoneEvent,
  ErrorEvent,
  MessageStartEvent,
  SendMessage,
  TitleEvent,
  UsageEvent,
} from "./types.gen";
import type { SourcesEvent } from "../features/knowledge/types";

export interface StreamHandlers {
  onStart: (event: MessageStartEvent) => void;
  onDelta: (event: DeltaEvent) => void;
  /** The passages the answer draws on (right after `message_start`, when any were found). */
  onSources: (event: SourcesEvent) => void;
  onUsage: (event: UsageEvent) => void;
  onTitle: (event: TitleEvent) => void;
  onDone: (event: DoneEvent) => void;
  onError: (event: ErrorEvent) => void;
}

function parse(data: string): unknown {
  return JSON.parse(data);
}

/** What each event does: one entry per event name (the compiler fails on a missing one). */
type EventName = ChatEventName | "sources";

function dispatcher(handlers: StreamHandlers): Record<EventName, (data: string) => boolean> {
  return {
    message_start: (data) => (handlers.onStart(parse(data) as MessageStartEvent), false),
    delta: (data) => (handlers.onDelta(parse(data) as DeltaEvent), false),
    sources: (data) => (handlers.onSources(parse(data) as SourcesEvent), false),
    usage: (data) => (handlers.onUsage(parse(data) as UsageEvent), false),
    title: (data) => (handlers.onTitle(parse(data) as TitleEvent), false),
    done: (data) => (handlers.onDone(parse(data) as DoneEvent), true),
    error: (data) => (handlers.onError(parse(data) as ErrorEvent), true),
  };
}

/**
 * Sends a message (or `regenerate`) and calls the handlers as events arrive. Resolves when the
 * stream ends with `done` or `error`; rejects with [`ApiError`] when the request is refused
 * before the stream starts or the connection breaks, and with an `AbortError` when `signal`
 * aborts.
 */
export async function streamMessage(
  chatId: string,
  body: SendMessage,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  const response = await authedFetch("POST", "/api/chats/" + encodeURIComponent(chatId) + "/messages", {
    body,
    signal,
    accept: "text/event-stream",
  });
  if (response.body === null) throw new ApiError(0, "stream_incomplete", "the answer stream ended early");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  const events = dispatcher(handlers);
  let finished = false;
  try {
    while (!finished) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (err instanceof DOMException && err.name === "AbortError") throw err;
        throw new ApiError(0, "stream_incomplete", "the connection broke during the answer");
      }
      if (chunk.done) break;
      for (const event of parser.push(chunk.value)) {
        // Unknown events are ignored: the server may add new ones.
        if (Object.hasOwn(events, event.event)) {
          finished = events[event.event as EventName](event.data) || finished;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (!finished) throw new ApiError(0, "stream_incomplete", "the connection broke during the answer");
}
