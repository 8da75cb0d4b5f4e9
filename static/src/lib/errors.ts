import { ApiError } from "../api/errors";
import type { Translate } from "../i18n/I18n";
import type { MessageKey } from "../i18n/messages";

const KNOWN: Record<string, MessageKey> = {
  invalid_credentials: "error.invalid_credentials",
  email_taken: "error.email_taken",
  registration_closed: "error.registration_closed",
  network_error: "error.network_error",
  session_expired: "error.session_expired",
  stream_incomplete: "error.stream_incomplete",
  not_found: "error.not_found",
};

const STREAM_CODES: Record<string, MessageKey> = {
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
export function describeStreamError(code: string | undefined, t: Translate): string | null {
  const key = code === undefined ? undefined : STREAM_CODES[code];
  return key ? t(key) : null;
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
