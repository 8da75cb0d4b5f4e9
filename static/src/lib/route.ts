/**
 * The app's routes: `/` (a new conversation), `/c/<id>` (a conversation), `/knowledge` (the
 * knowledge collections) and `/admin/<tab>` (the admin console; `/admin` alone opens its first
 * tab).
 */
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
    window.addEventListener(NAVIGATE_EVENT, onPop);
    return () => {
      window.removeEventListener("popstate", onPop);
      window.removeEventListener(NAVIGATE_EVENT, onPop);
    };
  }, []);
  const navigate = (next: string | null, replace = false) => {
    navigateTo(pathForChat(next), replace);
    setId(next);
  };
  return [id, navigate];
}

export const KNOWLEDGE_PATH = "/knowledge";

export function isKnowledgePath(path: string): boolean {
  return /^\/knowledge\/?$/.test(path);
}

/** The admin console's tabs, in their order; each has its own address `/admin/<tab>`. */
export const ADMIN_TABS = ["users", "costs", "stats", "models", "audit", "providers"] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

const ADMIN_PATH = /^\/admin(?:\/([a-z]+))?\/?$/;

/** The tab an admin address names (`/admin` alone: users); `null` for any other address. */
export function adminTabFromPath(path: string): AdminTab | null {
  const match = ADMIN_PATH.exec(path);
  if (match === null) return null;
  const tab = match[1] ?? "users";
  return (ADMIN_TABS as readonly string[]).includes(tab) ? (tab as AdminTab) : null;
}

export function pathForAdmin(tab: AdminTab): string {
  return "/admin/" + tab;
}

const NAVIGATE_EVENT = "hub:navigate";

/** Moves to `path` within the app (a history entry unless `replace`) and tells `usePath`. */
export function navigateTo(path: string, replace = false): void {
  if (location.pathname !== path) {
    if (replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
  }
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The address bar's path, following back/forward and `navigateTo`. */
export function usePath(): string {
  const [path, setPath] = useState(() => location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return path;
}
