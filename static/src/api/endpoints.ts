/** One typed function per API route the app uses. */
import { apiJson, publicJson } from "./client";
import { clearSession, getSession, storeTokens, storeUser, type Session } from "./session";
import type {
  AuthTokens,
  ChatDetail,
  ChatSummary,
  CreateChat,
  Login,
  ModelList,
  Page,
  RegisterUser,
  UpdateChat,
  UpdateMe,
  UsagePeriod,
  UsageTotals,
  UserView,
} from "./types.gen";

export async function login(body: Login): Promise<Session> {
  return storeTokens(await publicJson<AuthTokens>("POST", "/api/auth/login", body));
}

export async function register(body: RegisterUser): Promise<Session> {
  return storeTokens(await publicJson<AuthTokens>("POST", "/api/auth/register", body));
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function logout(): Promise<void> {
  const session = getSession();
  clearSession("logout");
  if (session === null) return;
  try {
    await publicJson<undefined>("POST", "/api/auth/logout", { refresh_token: session.refreshToken });
  } catch {
    // The local session is gone either way; the refresh token expires on its own.
  }
}

export function me(): Promise<UserView> {
  return apiJson<UserView>("GET", "/api/auth/me");
}

/** Loads the own account again and keeps it (admin rights may have changed since the login). */
export async function refreshMe(): Promise<void> {
  storeUser(await me());
}

/** Changes the own account; the answer is kept as the session's user. */
export async function updateMe(body: UpdateMe): Promise<UserView> {
  const user = await apiJson<UserView>("PATCH", "/api/auth/me", { body });
  storeUser(user);
  return user;
}

export function listModels(): Promise<ModelList> {
  return apiJson<ModelList>("GET", "/api/models");
}

export function listChats(cursor?: string | null, limit = 50): Promise<Page<ChatSummary>> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  return apiJson<Page<ChatSummary>>("GET", "/api/chats?" + query.toString());
}

export function createChat(body: CreateChat): Promise<ChatSummary> {
  return apiJson<ChatSummary>("POST", "/api/chats", { body });
}

export function getChat(id: string, signal?: AbortSignal): Promise<ChatDetail> {
  return apiJson<ChatDetail>("GET", "/api/chats/" + encodeURIComponent(id), signal ? { signal } : {});
}

export function updateChat(id: string, body: UpdateChat): Promise<ChatSummary> {
  return apiJson<ChatSummary>("PATCH", "/api/chats/" + encodeURIComponent(id), { body });
}

export function deleteChat(id: string): Promise<void> {
  return apiJson<undefined>("DELETE", "/api/chats/" + encodeURIComponent(id));
}

export function usage(period: UsagePeriod = "month"): Promise<UsageTotals> {
  return apiJson<UsageTotals>("GET", "/api/usage/me?period=" + period);
}
