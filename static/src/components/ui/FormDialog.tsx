import { useEffect, useId, useRef, type ReactNode, type SyntheticEvent } from "react";

interface Props {
  title: string;
  children: ReactNode;
  /** The label of the submit button. */
  submitLabel: string;
  /** The label of a cancel button; none without it (Escape still cancels). */
  cancelLabel?: string;
  /** A request is under way: the submit button waits. */
  busy?: boolean;
  /** What went wrong, shown above the fields. */
  error?: string | null;
  onSubmit: () => void;
  onCancel: () => void;
  testId?: string;
  /** A wider dialog (long texts side by side). */
  wide?: boolean;
  /** Extra buttons at the start of the action row (a "delete", say). */
  extraActions?: ReactNode;
}

/**
 * A modal form on the native `<dialog>` (focus trap, Escape): the first field (or button) gets
 * the focus; Escape cancels.
 */
export function FormDialog({ title, children, submitLabel, cancelLabel, busy = false, error, onSubmit, onCancel, testId, wide = false, extraActions }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>("input, select, textarea, button")?.focus();
    return () => dialog.close();
  }, []);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <dialog
      ref={ref}
      className={wide ? "dialog form-dialog wide" : "dialog form-dialog"}
      aria-labelledby={id}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <form noValidate onSubmit={submit}>
        <h2 id={id} className="dialog-title">
          {title}
        </h2>
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">
          {extraActions}
          {cancelLabel !== undefined && (
            <button type="button" className="btn btn-secondary" onClick={onCancel}>
              {cancelLabel}
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
