import { ApiError, type ClientErrorCode } from "../api/errors";
import type { ErrorCode, StreamErrorCode } from "../api/types.gen";
import type { Translate } from "../i18n/I18n";
import type { MessageKey } from "../i18n/messages";

/**
 * The sentence for each error code, or `null` where the API's own message (or the field it
 * names) says it best. One entry per code: a code added to the API fails the type check here
 * until it is decided.
 */
const KNOWN: Record<ErrorCode | ClientErrorCode, MessageKey | null> = {
  bad_request: null,
  invalid_json: null,
  invalid_input: null,
  invalid_path: null,
  unknown_model: null,
  unknown_assistant: "error.unknown_assistant",
  unknown_collection: "error.unknown_collection",
  invalid_template: null,
  template_values_mismatch: null,
  unauthenticated: null,
  invalid_credentials: "error.invalid_credentials",
  invalid_refresh_token: null,
  forbidden: null,
  registration_closed: "error.registration_closed",
  invalid_current_password: null,
  password_change_required: "error.password_change_required",
  self_protected: "error.self_protected",
  last_admin: "error.last_admin",
  default_model_required: "error.default_model_required",
  model_exists: "error.model_exists",
  not_found: "error.not_found",
  method_not_allowed: null,
  conflict: null,
  email_taken: "error.email_taken",
  payload_too_large: null,
  unsupported_media_type: null,
  rate_limited: null,
  internal_error: null,
  service_unavailable: null,
  provider_not_configured: null,
  master_key_unavailable: null,
  network_error: "error.network_error",
  session_expired: "error.session_expired",
  stream_incomplete: "error.stream_incomplete",
  http_error: null,
};

const STREAM_CODES: Record<StreamErrorCode, MessageKey> = {
  provider_rejected: "stream.provider_rejected",
  provider_auth: "stream.provider_auth",
  provider_rate_limited: "stream.provider_rate_limited",
  provider_unavailable: "stream.provider_unavailable",
  provider_incomplete: "stream.provider_incomplete",
  provider_not_configured: "stream.provider_not_configured",
  provider_model_not_found: "stream.provider_model_not_found",
  provider_invalid_response: "stream.provider_invalid_response",
  internal: "stream.internal",
};

/** A translated sentence for the code of a failed answer (`error` event), if there is one. */
export function describeStreamError(code: StreamErrorCode | undefined, t: Translate): string | null {
  return code === undefined ? null : t(STREAM_CODES[code]);
}

/** A translated message for an error; the API's own message where we have no translation. */
export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.code === "rate_limited") return t("error.rate_limited", { seconds: error.retryAfter ?? 60 });
    const key = KNOWN[error.code];
    if (key) return t(key);
    const reason = error.details["reason"];
    if (error.field && typeof reason === "string") return t("error.field", { field: error.field, reason });
    return t("error.generic", { message: error.message });
  }
  return t("error.generic", { message: error instanceof Error ? error.message : String(error) });
}
