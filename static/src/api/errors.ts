import type { ErrorCode } from "./types.gen";

/** Codes of failures that never reached the API's error body (the network, a broken stream, a
 * proxy's error page, a session that cannot be refreshed). */
export type ClientErrorCode = "network_error" | "session_expired" | "stream_incomplete" | "http_error";

/** The API's error body: `{"error":{"code","message","details"}}` (docs/api-conventions.md). */
export interface ApiErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: Record<string, unknown> | null;
  };
}

/** An error answer of the API, or a network failure (`status` 0, code `network_error`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    status: number,
    code: ErrorCode | ClientErrorCode,
    message: string,
    details?: Record<string, unknown> | null,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }

  /** The field a 400 names (`details.field`), if any. */
  get field(): string | undefined {
    const field = this.details["field"];
    return typeof field === "string" ? field : undefined;
  }

  /** Why a 401 happened: `missing`, `expired`, `invalid` or `session_ended`. */
  get reason(): string | undefined {
    const reason = this.details["reason"];
    return typeof reason === "string" ? reason : undefined;
  }

  /** Seconds to wait after a 429, when the API said. */
  get retryAfter(): number | undefined {
    const secs = this.details["retry_after_seconds"];
    return typeof secs === "number" ? secs : undefined;
  }
}

/** The session cannot be continued (refresh failed): the user has to log in again. */
export class SessionExpiredError extends ApiError {
  constructor() {
    super(401, "session_expired", "the session has ended; log in again");
    this.name = "SessionExpiredError";
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = value.error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** Turns a failed response into an [`ApiError`], whatever its body (JSON or not). */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): fall through to a generic error.
  }
  if (isErrorBody(body)) {
    return new ApiError(response.status, body.error.code, body.error.message, body.error.details);
  }
  return new ApiError(response.status, "http_error", response.statusText || "request failed");
}
