/** Authenticated requests to the API: bearer token, one silent refresh, errors as [`ApiError`]. */
import { ApiError, SessionExpiredError, errorFromResponse } from "./errors";
import { accessToken, clearSession, refreshSession } from "./session";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  accept?: string;
}

async function send(method: Method, path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
  if (token !== null) headers["authorization"] = "Bearer " + token;
  const init: RequestInit = { method, headers, cache: "no-store" };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;
  try {
    return await fetch(path, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "network_error", "the server cannot be reached");
  }
}

/**
 * Sends a request with the access token (`attempt`); a 401 because the token expired or was
 * rejected triggers one refresh and one retry; a 401 after that, or one saying the session
 * ended, ends the session ([`SessionExpiredError`]). The answer, whatever its status otherwise.
 */
export async function withToken<T>(
  attempt: (token: string) => Promise<T>,
  status: (answer: T) => number,
  error: (answer: T) => Promise<ApiError>,
): Promise<T> {
  const answer = await attempt(await accessToken());
  if (status(answer) !== 401) return answer;
  const refused = await error(answer);
  if (refused.reason === "session_ended" || refused.reason === "missing") {
    clearSession();
    throw new SessionExpiredError();
  }
  const session = await refreshSession();
  const again = await attempt(session.accessToken);
  if (status(again) === 401) {
    clearSession();
    throw new SessionExpiredError();
  }
  return again;
}

/**
 * Sends an authenticated request and returns the successful response. A 401 because the access
 * token expired or was rejected triggers one refresh and one retry; a 401 after that, or one
 * saying the session ended, ends the session ([`SessionExpiredError`]).
 */
export async function authedFetch(method: Method, path: string, options: RequestOptions = {}): Promise<Response> {
  const response = await withToken(
    (token) => send(method, path, options, token),
    (answer) => answer.status,
    errorFromResponse,
  );
  if (!response.ok) {
    const error = await errorFromResponse(response);
    if (error.status === 403 && error.code === "password_change_required") {
      for (const listener of passwordChangeListeners) listener();
    }
    throw error;
  }
  return response;
}

const passwordChangeListeners = new Set<() => void>();

/**
 * Calls `listener` whenever the API refuses a request (403 `password_change_required`) until the
 * user changes the password an administrator (or the first run) set.
 */
export function onPasswordChangeRequired(listener: () => void): () => void {
  passwordChangeListeners.add(listener);
  return () => passwordChangeListeners.delete(listener);
}

/** An authenticated JSON request; `undefined` for a 204. */
export async function apiJson<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await authedFetch(method, path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** An unauthenticated JSON request (login, register, logout). */
export async function publicJson<T>(method: Method, path: string, body: unknown): Promise<T> {
  const response = await send(method, path, { body }, null);
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
