import { useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";

export interface Submission {
  /** What went wrong (a refused request, or a check before it). */
  error: string | null;
  setError: (error: string | null) => void;
  /** A request is under way. */
  busy: boolean;
  /** Sends `request` and hands its answer to `done`; a failure is shown and may be tried again. */
  run: <T>(request: () => Promise<T>, done: (answer: T) => void, onFailure?: (err: unknown) => void) => Promise<void>;
}

/** The state of a dialog's submit: busy while the request runs, its error when it fails. */
export function useSubmission(describe?: (err: unknown) => string): Submission {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run: Submission["run"] = async (request, done, onFailure) => {
    setBusy(true);
    setError(null);
    try {
      done(await request());
    } catch (err) {
      setError(describe ? describe(err) : describeError(err, t));
      onFailure?.(err);
      setBusy(false);
    }
  };
  return { error, setError, busy, run };
}
