import { useCallback, useEffect, useReducer, useRef } from "react";
import type { Page } from "../../api/types.gen";

interface State<T> {
  items: T[];
  next: string | null;
  /** The query whose first page is shown; differs from the current query while it loads. */
  shownKey: string | null;
  loadingMore: boolean;
  error: unknown;
}

type Action<T> =
  | { type: "page"; key: string; page: Page<T>; first: boolean }
  | { type: "failed"; key: string; error: unknown }
  | { type: "more" }
  | { type: "map"; fn: (items: T[]) => T[] };

function reducer<T>(state: State<T>, action: Action<T>): State<T> {
  switch (action.type) {
    case "page":
      return {
        items: action.first ? action.page.items : [...state.items, ...action.page.items],
        next: action.page.next_cursor,
        shownKey: action.key,
        loadingMore: false,
        error: null,
      };
    case "failed":
      return { ...state, shownKey: action.key, loadingMore: false, error: action.error };
    case "more":
      return { ...state, loadingMore: true };
    case "map":
      return { ...state, items: action.fn(state.items) };
  }
}

export interface PagedList<T> {
  items: T[];
  /** False while the first page of the current query loads. */
  loaded: boolean;
  loadingMore: boolean;
  hasMore: boolean;
  /** The last failure (of the current query), if any. */
  error: unknown;
  loadMore: () => void;
  /** Loads the first page again. */
  reload: () => void;
  /** Changes the loaded items in place (after an edit). */
  update: (fn: (items: T[]) => T[]) => void;
}

/**
 * A keyset-paged list: the first page whenever `queryKey` (the filters) changes, then "load
 * more" with the cursor of the last page. Answers of a superseded query are dropped.
 */
export function usePagedList<T>(load: (cursor: string | null) => Promise<Page<T>>, queryKey: string): PagedList<T> {
  const [state, dispatch] = useReducer(reducer<T>, { items: [], next: null, shownKey: null, loadingMore: false, error: null });
  const loadRef = useRef(load);
  const keyRef = useRef(queryKey);
  useEffect(() => {
    loadRef.current = load;
    keyRef.current = queryKey;
  });

  const fetchPage = useCallback((key: string, cursor: string | null) => {
    loadRef.current(cursor).then(
      (page) => {
        if (key === keyRef.current) dispatch({ type: "page", key, page, first: cursor === null });
      },
      (error: unknown) => {
        if (key === keyRef.current) dispatch({ type: "failed", key, error });
      },
    );
  }, []);

  useEffect(() => {
    fetchPage(queryKey, null);
  }, [queryKey, fetchPage]);

  return {
    items: state.items,
    loaded: state.shownKey === queryKey,
    loadingMore: state.loadingMore,
    hasMore: state.next !== null,
    error: state.error,
    loadMore: () => {
      if (state.next === null || state.loadingMore) return;
      dispatch({ type: "more" });
      fetchPage(queryKey, state.next);
    },
    reload: () => fetchPage(queryKey, null),
    update: (fn) => dispatch({ type: "map", fn }),
  };
}
