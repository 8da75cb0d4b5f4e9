/** One typed function per admin route (`/api/admin/...`); every one answers 403 to non-admins. */
import { apiJson, authedFetch } from "../../api/client";
import type {
  AdminCreateModel,
  AdminCreateUser,
  AdminModelList,
  AdminModelView,
  AdminPasswordReset,
  AdminStats,
  AdminUpdateModel,
  AdminUpdateUser,
  AdminUserPassword,
  AuditEntryView,
  AuditVerification,
  CostPeriod,
  CostReport,
  Page,
  UserView,
} from "../../api/types.gen";
import type { ProviderList, ProviderTestView, ProviderView, SetProviderKey, UpdateProvider } from "../../api/types.gen";
import type { EmbeddingModel, PutEmbeddingModel } from "../knowledge/types";

function query(params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== "") search.set(name, value);
  const text = search.toString();
  return text === "" ? "" : "?" + text;
}

export interface UserQuery {
  q: string;
  active: "" | "true" | "false";
  admin: "" | "true" | "false";
  sort: "created_at" | "email" | "last_login_at";
  order: "asc" | "desc";
}

export function listUsers(filter: UserQuery, cursor: string | null): Promise<Page<UserView>> {
  return apiJson("GET", "/api/admin/users" + query({ ...filter, q: filter.q.trim(), limit: "50", cursor }));
}

export function createUser(body: AdminCreateUser): Promise<AdminUserPassword> {
  return apiJson("POST", "/api/admin/users", { body });
}

export function updateUser(id: string, body: AdminUpdateUser): Promise<UserView> {
  return apiJson("PATCH", "/api/admin/users/" + encodeURIComponent(id), { body });
}

export function resetPassword(id: string, body: AdminPasswordReset): Promise<AdminUserPassword> {
  return apiJson("POST", "/api/admin/users/" + encodeURIComponent(id) + "/password-reset", { body });
}

export function deleteUser(id: string): Promise<void> {
  return apiJson("DELETE", "/api/admin/users/" + encodeURIComponent(id));
}

export interface CostQuery {
  period: CostPeriod;
  /** `YYYY-MM-DD`, custom periods only. */
  from: string;
  until: string;
}

function costQuery(filter: CostQuery): string {
  return filter.period === "custom"
    ? query({ period: "custom", from: filter.from, until: filter.until })
    : query({ period: filter.period });
}

export function costs(filter: CostQuery): Promise<CostReport> {
  return apiJson("GET", "/api/admin/costs" + costQuery(filter));
}

export function costsCsv(filter: CostQuery): Promise<Blob> {
  return downloadBlob("/api/admin/costs.csv" + costQuery(filter));
}

export function stats(): Promise<AdminStats> {
  return apiJson("GET", "/api/admin/stats");
}

export function listAdminModels(): Promise<AdminModelList> {
  return apiJson("GET", "/api/admin/models");
}

export function createModel(body: AdminCreateModel): Promise<AdminModelView> {
  return apiJson("POST", "/api/admin/models", { body });
}

export function updateModel(id: string, body: AdminUpdateModel): Promise<AdminModelView> {
  return apiJson("PATCH", "/api/admin/models/" + encodeURIComponent(id), { body });
}

/** A CSV answer, fetched with the bearer token (a plain link could not send it). */
export async function downloadBlob(path: string): Promise<Blob> {
  const response = await authedFetch("GET", path, { accept: "text/csv" });
  return response.blob();
}

export { saveBlob } from "../../lib/download";

export interface AuditQuery {
  action: string;
  actor: string;
  target: string;
  /** `YYYY-MM-DD` (UTC), inclusive; empty for no bound. */
  from: string;
  /** `YYYY-MM-DD` (UTC), inclusive; empty for no bound. */
  until: string;
}

function auditQuery(filter: AuditQuery, extra: Record<string, string | null> = {}): string {
  const dayAfter = (day: string) => new Date(Date.parse(day + "T00:00:00Z") + 86_400_000).toISOString();
  return query({
    action: filter.action.trim(),
    actor: filter.actor.trim(),
    target: filter.target.trim(),
    from: filter.from === "" ? null : filter.from + "T00:00:00Z",
    // The API's `until` is exclusive: the whole last day counts.
    until: filter.until === "" ? null : dayAfter(filter.until),
    ...extra,
  });
}

export function listAudit(filter: AuditQuery, cursor: string | null): Promise<Page<AuditEntryView>> {
  return apiJson("GET", "/api/admin/audit" + auditQuery(filter, { limit: "50", cursor }));
}

export function auditCsv(filter: AuditQuery): Promise<Blob> {
  return downloadBlob("/api/admin/audit.csv" + auditQuery(filter));
}

export function verifyAudit(): Promise<AuditVerification> {
  return apiJson("GET", "/api/admin/audit/verify");
}

/* Provider keys (`/api/admin/providers`). */

export function listProviders(): Promise<ProviderList> {
  return apiJson("GET", "/api/admin/providers");
}

function providerPath(provider: string, tail = ""): string {
  return "/api/admin/providers/" + encodeURIComponent(provider) + tail;
}

export function setProviderKey(provider: string, body: SetProviderKey): Promise<ProviderView> {
  return apiJson("PUT", providerPath(provider, "/key"), { body });
}

export function deleteProviderKey(provider: string): Promise<ProviderView> {
  return apiJson("DELETE", providerPath(provider, "/key"));
}

export function testProvider(provider: string): Promise<ProviderTestView> {
  return apiJson("POST", providerPath(provider, "/test"));
}

export function updateProvider(provider: string, body: UpdateProvider): Promise<ProviderView> {
  return apiJson("PATCH", providerPath(provider), { body });
}

/* Embedding models (`/api/admin/embedding-models`). */

export function listEmbeddingModels(): Promise<{ items: EmbeddingModel[] }> {
  return apiJson("GET", "/api/admin/embedding-models");
}

function embeddingPath(model: string, tail = ""): string {
  return "/api/admin/embedding-models/" + encodeURIComponent(model) + tail;
}

export function putEmbeddingModel(model: string, body: PutEmbeddingModel): Promise<EmbeddingModel> {
  return apiJson("PUT", embeddingPath(model), { body });
}

export function deleteEmbeddingModel(model: string): Promise<void> {
  return apiJson("DELETE", embeddingPath(model));
}

export function activateEmbeddingModel(model: string): Promise<unknown> {
  return apiJson("POST", embeddingPath(model, "/activate"));
}

export function deactivateEmbeddingModels(): Promise<unknown> {
  return apiJson("POST", "/api/admin/embedding-models/deactivate");
}
