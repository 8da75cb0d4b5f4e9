/** The app's only routes: `/` (a new conversation) and `/c/<id>` (a conversation). */
import { useEffect, useState } from "react";

const CHAT_PATH = /^\/c\/([0-9a-fA-F-]{36})\/?$/;

export function chatIdFromPath(path: string): string | null {
  return CHAT_PATH.exec(path)?.[1] ?? null;
}

export function pathForChat(id: string | null): string {
  return id === null ? "/" : "/c/" + id;
}

/** The conversation id in the address bar, following back/forward navigation. */
export function useRouteChatId(): [string | null, (id: string | null, replace?: boolean) => void] {
  const [id, setId] = useState(() => chatIdFromPath(location.pathname));
  useEffect(() => {
    const onPop = () => setId(chatIdFromPath(location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = (next: string | null, replace = false) => {
    const path = pathForChat(next);
    if (location.pathname !== path) {
      if (replace) history.replaceState(null, "", path);
      else history.pushState(null, "", path);
    }
    setId(next);
  };
  return [id, navigate];
}
