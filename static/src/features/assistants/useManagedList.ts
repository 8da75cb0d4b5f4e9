import { useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";

export interface ManagedList<T> {
  /** The item in the editor, `"new"` for a new one, `null` when the editor is closed. */
  editing: T | "new" | null;
  setEditing: (item: T | "new" | null) => void;
  /** The item whose deletion waits for a confirmation. */
  deleting: T | null;
  setDeleting: (item: T | null) => void;
  /** The last outcome, for screen readers. */
  status: string;
  error: string | null;
  /** The editor saved: it closes, `text` is announced, the list is loaded again. */
  saved: (text: string) => void;
  /** Deletes the confirmed item; `text` is announced, the list is loaded again. */
  confirmDelete: () => void;
}

/**
 * The state of a manager dialog (assistants, templates): which item is edited or about to be
 * deleted, the last outcome, and the deletion itself.
 */
export function useManagedList<T>(remove: (item: T) => Promise<void>, deletedText: (item: T) => string, onChanged: () => void): ManagedList<T> {
  const { t } = useI18n();
  const [editing, setEditing] = useState<T | "new" | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState("");

  const confirmDelete = () => {
    const item = deleting;
    setDeleting(null);
    if (item === null) return;
    setError(null);
    remove(item).then(
      () => {
        setStatus(deletedText(item));
        onChanged();
      },
      (err: unknown) => setError(describeError(err, t)),
    );
  };

  return {
    editing,
    setEditing,
    deleting,
    setDeleting,
    status,
    error,
    saved: (text) => {
      setEditing(null);
      setStatus(text);
      onChanged();
    },
    confirmDelete,
  };
}
