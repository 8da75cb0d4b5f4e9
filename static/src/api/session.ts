/**
 * The login session: tokens, where they are kept, and their silent refresh.
 *
 * Storage: the API hands out both tokens in JSON bodies (no cookies), so the app keeps them in
 * `localStorage` under one key. That lets every tab of the app share one session and one
 * refresh token, which matters because refresh tokens rotate: a spent token presented again
 * ends the whole session. The exposure of `localStorage` to script injection is countered by
 * the strict Content-Security-Policy (scripts from our own origin only, no inline scripts) and
 * by rendering model output through a sanitiser; access tokens live 30 minutes, and logout
 * revokes the refresh token on the server.
 *
 * Refresh is single-flight: within a tab, concurrent callers share one promise; across tabs,
 * the Web Locks API serialises refreshes, and a tab that gets the lock after another tab
 * refreshed uses that tab's result instead of spending the (already rotated) token again. The
 * result is found in the rotation record (`./rotation`, IndexedDB), which the next holder of
 * the lock is sure to see, and otherwise in `localStorage`, which it may see late.
 */
import { ApiError, SessionExpiredError, errorFromResponse } from "./errors";
import { lastRotation, recordRotation } from "./rotation";
import type { AuthTokens, UserView } from "./types.gen";

const STORAGE_KEY = "hub.session";
const LOCK_NAME = "hub.session.refresh";
/** Refresh this long before the access token expires. */
const EXPIRY_MARGIN_MS = 30_000;

export interface Session {
  accessToken: string;
  /** Epoch milliseconds when the access token expires. */
  accessExpiresAt: number;
  refreshToken: string;
  user: UserView;
}

/** Why the session changed: a login, a logout by the user, or the server ended it. */
export type SessionChange = "login" | "logout" | "expired";
type Listener = (session: Session | null, change: SessionChange) => void;

function isSession(value: unknown): value is Session {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const user = v["user"];
  return (
    typeof v["accessToken"] === "string" &&
    typeof v["accessExpiresAt"] === "number" &&
    typeof v["refreshToken"] === "string" &&
    typeof user === "object" &&
    user !== null &&
    typeof (user as Record<string, unknown>)["id"] === "string"
  );
}

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const parsed: unknown = JSON.parse(raw);
    return isSession(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

let current: Session | null = load();
const listeners = new Set<Listener>();

function notify(change: SessionChange): void {
  for (const listener of listeners) listener(current, change);
}

// Another tab logged in, refreshed or logged out.
window.addEventListener("storage", (event) => {
  if (event.key !== STORAGE_KEY && event.key !== null) return;
  const next = load();
  const changedUser = (next?.user.id ?? null) !== (current?.user.id ?? null);
  current = next;
  if (changedUser || next === null) notify(next === null ? "logout" : "login");
});

/** The current session, if logged in. */
export function getSession(): Session | null {
  return current;
}

/** Calls `listener` whenever the user logs in or out (in this tab or another). */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Keeps the tokens of a login, registration or refresh. */
export function storeTokens(tokens: AuthTokens): Session {
  const session: Session = {
    accessToken: tokens.access_token,
    accessExpiresAt: Date.now() + tokens.expires_in * 1000,
    refreshToken: tokens.refresh_token,
    user: tokens.user,
  };
  const hadUser = current?.user.id;
  current = session;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage full or disabled: the session still works in this tab.
  }
  if (hadUser !== session.user.id) notify("login");
  return session;
}

/** Updates the stored account (after `PATCH /api/auth/me`). */
export function storeUser(user: UserView): void {
  if (current === null) return;
  current = { ...current, user };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  } catch {
    // See storeTokens.
  }
  notify("login");
}

/** Forgets the session: the user logged out, or the server ended it (the default). */
export function clearSession(change: "logout" | "expired" = "expired"): void {
  const had = current !== null;
  current = null;
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing to do.
  }
  void recordRotation(null);
  if (had) notify(change);
}

let inflight: Promise<Session> | null = null;

/**
 * Gets new tokens with the refresh token: one refresh at a time in this tab, and across tabs
 * when the browser has Web Locks. Throws [`SessionExpiredError`] (and forgets the session)
 * when the server no longer accepts the refresh token.
 */
export function refreshSession(): Promise<Session> {
  if (inflight !== null) return inflight;
  const spent = current?.refreshToken;
  const run = async (): Promise<Session> => {
    // Another tab spent this very token while we waited for the lock: take what replaced it.
    const rotation = spent === undefined ? null : await lastRotation();
    if (rotation !== null && rotation.spent === spent && isSession(rotation.next) && isFresh(rotation.next)) {
      current = rotation.next;
      return rotation.next;
    }
    const latest = load() ?? current;
    if (latest === null) throw new SessionExpiredError();
    if (latest.refreshToken !== spent && isFresh(latest)) {
      // Another tab refreshed (seen in localStorage: without IndexedDB, or an older rotation).
      current = latest;
      return latest;
    }
    let response: Response;
    try {
      response = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: latest.refreshToken }),
      });
    } catch {
      throw new ApiError(0, "network_error", "the server cannot be reached");
    }
    if (response.status === 401) {
      clearSession();
      throw new SessionExpiredError();
    }
    if (!response.ok) throw await errorFromResponse(response);
    const session = storeTokens((await response.json()) as AuthTokens);
    // Committed before the lock is released, so that the tab waiting for it sees the rotation.
    await recordRotation({ spent: latest.refreshToken, next: session });
    return session;
  };
  const locked: Promise<Session> =
    "locks" in navigator ? navigator.locks.request(LOCK_NAME, run).then((session) => session) : run();
  inflight = locked.finally(() => {
    inflight = null;
  });
  return inflight;
}

/** Whether the session's access token is good for a while yet. */
function isFresh(session: Session): boolean {
  return session.accessExpiresAt - EXPIRY_MARGIN_MS > Date.now();
}

/** A valid access token: the stored one, or a refreshed one when it is about to expire. */
export async function accessToken(): Promise<string> {
  const session = current;
  if (session === null) throw new SessionExpiredError();
  if (isFresh(session)) return session.accessToken;
  return (await refreshSession()).accessToken;
}
