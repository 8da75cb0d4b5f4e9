/**
 * An authenticated upload of raw bytes with progress: `fetch` reports none for request bodies,
 * so this uses XMLHttpRequest, with the same token handling as `authedFetch` (one refresh and
 * one retry on a 401; a 401 after that, or one saying the session ended, ends the session).
 */
import { withToken } from "./client";
import { ApiError, errorFromResponse } from "./errors";

export interface UploadOptions {
  /** The share of the bytes sent, 0 to 1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

interface Answer {
  status: number;
  statusText: string;
  body: string;
}

function sendOnce(path: string, body: Blob, token: string, options: UploadOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("authorization", "Bearer " + token);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, statusText: xhr.statusText, body: xhr.responseText });
    xhr.onerror = () => reject(new ApiError(0, "network_error", "the server cannot be reached"));
    xhr.onabort = () => reject(new DOMException("the upload was aborted", "AbortError"));
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) {
        reject(new DOMException("the upload was aborted", "AbortError"));
        return;
      }
      signal.addEventListener("abort", () => xhr.abort(), { once: true });
    }
    xhr.send(body);
  });
}

/** The answer as an [`ApiError`] (through the same parser as `fetch`'s answers). */
function failure(answer: Answer): Promise<ApiError> {
  return errorFromResponse(new Response(answer.body, { status: answer.status, statusText: answer.statusText }));
}

/** POSTs `body` to `path` as `application/octet-stream`; the JSON answer, or an [`ApiError`]. */
export async function uploadBytes<T>(path: string, body: Blob, options: UploadOptions = {}): Promise<T> {
  const answer = await withToken((token) => sendOnce(path, body, token, options), (a) => a.status, failure);
  if (answer.status < 200 || answer.status > 299) throw await failure(answer);
  options.onProgress?.(1);
  return JSON.parse(answer.body) as T;
}
