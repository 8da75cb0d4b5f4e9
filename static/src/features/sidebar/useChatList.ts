import { useCallback, useEffect, useReducer } from "react";
import { deleteChat, listChats, updateChat } from "../../api/endpoints";
import type { ChatSummary, Page } from "../../api/types.gen";

interface ListState {
  chats: ChatSummary[];
  /** The cursor of the next page; `null` when everything is loaded. */
  next: string | null;
  /** False until the first page arrived (or failed to). */
  loaded: boolean;
}

type ListAction =
  | { type: "page"; page: Page<ChatSummary>; first: boolean }
  | { type: "failed" }
  | { type: "added"; chat: ChatSummary }
  | { type: "changed"; id: string; patch: Partial<ChatSummary> }
  | { type: "removed"; id: string };

function listReducer(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case "page": {
      const { items, next_cursor } = action.page;
      if (!action.first) {
        const known = new Set(state.chats.map((c) => c.id));
        return { chats: [...state.chats, ...items.filter((c) => !known.has(c.id))], next: next_cursor, loaded: true };
      }
      if (state.chats.length <= items.length) return { chats: items, next: next_cursor, loaded: true };
      // The first page again (new order, titles): the pages loaded beyond it are kept.
      const fresh = new Set(items.map((c) => c.id));
      return { ...state, chats: [...items, ...state.chats.slice(items.length).filter((c) => !fresh.has(c.id))], loaded: true };
    }
    case "failed":
      return { ...state, loaded: true };
    case "added":
      return { ...state, chats: [action.chat, ...state.chats.filter((c) => c.id !== action.chat.id)] };
    case "changed":
      return { ...state, chats: state.chats.map((c) => (c.id === action.id ? { ...c, ...action.patch } : c)) };
    case "removed":
      return { ...state, chats: state.chats.filter((c) => c.id !== action.id) };
  }
}

export interface ChatList {
  chats: ChatSummary[];
  loaded: boolean;
  hasMore: boolean;
  /** Loads the next page. */
  loadMore: () => void;
  /** Renames on the server; false when that failed (reported). */
  rename: (id: string, title: string) => Promise<boolean>;
  /** Deletes on the server; false when that failed (reported). */
  remove: (id: string) => Promise<boolean>;
  /** A new conversation: first in the list. */
  added: (chat: ChatSummary) => void;
  /** A conversation changed (title, model): `patch` holds what changed. */
  changed: (id: string, patch: Partial<ChatSummary>) => void;
  /** There was activity (an answer): the first page is loaded again for the new order. */
  touched: () => void;
}

/**
 * The user's conversations, newest activity first, a page at a time. Loads the first page
 * when it starts (and again when `report` changes); failures go to `report`.
 */
export function useChatList(report: (err: unknown) => void): ChatList {
  const [state, dispatch] = useReducer(listReducer, { chats: [], next: null, loaded: false });

  /** Loads a page: the first (`cursor` null), or the one after `cursor`. */
  const load = useCallback(
    async (cursor: string | null) => {
      try {
        dispatch({ type: "page", page: await listChats(cursor), first: cursor === null });
      } catch (err) {
        dispatch({ type: "failed" });
        report(err);
      }
    },
    [report],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const act = async (request: () => Promise<ListAction>): Promise<boolean> => {
    try {
      dispatch(await request());
      return true;
    } catch (err) {
      report(err);
      return false;
    }
  };

  return {
    chats: state.chats,
    loaded: state.loaded,
    hasMore: state.next !== null,
    loadMore: () => {
      if (state.next !== null) void load(state.next);
    },
    rename: (id, title) => act(async () => ({ type: "changed", id, patch: await updateChat(id, { title }) })),
    remove: (id) =>
      act(async () => {
        await deleteChat(id);
        return { type: "removed", id };
      }),
    added: (chat) => dispatch({ type: "added", chat }),
    changed: (id, patch) => dispatch({ type: "changed", id, patch }),
    touched: () => void load(null),
  };
}
