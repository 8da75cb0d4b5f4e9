/**
 * Unsent messages, per conversation, in `sessionStorage`: they survive a reload and a trip
 * through the login screen after the session expired, and stay in this tab.
 */
const PREFIX = "hub.draft.";

function key(chatId: string | null): string {
  return PREFIX + (chatId ?? "new");
}

export function loadDraft(chatId: string | null): string {
  try {
    return sessionStorage.getItem(key(chatId)) ?? "";
  } catch {
    return "";
  }
}

export function saveDraft(chatId: string | null, text: string): void {
  try {
    if (text === "") sessionStorage.removeItem(key(chatId));
    else sessionStorage.setItem(key(chatId), text);
  } catch {
    // Storage full or disabled: the draft lives in memory only.
  }
}
