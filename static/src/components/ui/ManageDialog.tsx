import { useEffect, useId, useRef, type ReactNode } from "react";
import { useI18n } from "../../i18n/I18n";
import { ConfirmDialog } from "./ConfirmDialog";
import { Icon } from "./Icon";

interface Props {
  title: string;
  /** The label of the "new ..." button next to the title. */
  newLabel: string;
  onNew: () => void;
  /** The items, `null` while they load: "loading", or `emptyText` when there are none. */
  items: readonly unknown[] | null;
  emptyText: string;
  /** The last outcome, announced to screen readers. */
  status: string;
  /** What went wrong, shown above the list. */
  error: string | null;
  children: ReactNode;
  onClose: () => void;
  testId?: string;
  /** A deletion waiting for its confirmation (title and text of the question). */
  confirmDelete: { title: string; body: string } | null;
  onConfirmDelete: () => void;
  onCancelDelete: () => void;
}

/** An item's "edit" and "delete" icon buttons (labelled for screen readers). */
export function EditDeleteButtons({ editLabel, deleteLabel, onEdit, onDelete }: { editLabel: string; deleteLabel: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <>
      <button type="button" className="icon-button" aria-label={editLabel} onClick={onEdit}>
        <Icon name="edit" size={16} />
      </button>
      <button type="button" className="icon-button" aria-label={deleteLabel} onClick={onDelete}>
        <Icon name="trash" size={16} />
      </button>
    </>
  );
}

/**
 * A modal panel on the native `<dialog>` (focus trap, Escape closes) for managing a list: its
 * title, a "new" button and a close button on top, the list below. Editors open over it as their
 * own dialogs; closing one returns the focus to the control that opened it.
 */
export function ManageDialog(props: Props) {
  const { title, newLabel, onNew, items, emptyText, status, error, children, onClose, testId, confirmDelete } = props;
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>(".manage-head button")?.focus();
    return () => dialog.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog manage-dialog"
      aria-labelledby={id}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="manage-head">
        <h2 id={id} className="dialog-title">
          {title}
        </h2>
        <div className="manage-actions">
          <button type="button" className="btn btn-primary btn-small" onClick={onNew}>
            <Icon name="plus" size={16} /> {newLabel}
          </button>
          <button type="button" className="icon-button" aria-label={t("common.close")} onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
      </div>
      <div className="manage-body">
        <p className="visually-hidden" role="status" aria-live="polite">
          {status}
        </p>
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
        {items === null && <p className="muted">{t("common.loading")}</p>}
        {items !== null && items.length === 0 && <p className="muted">{emptyText}</p>}
        {children}
      </div>
      {confirmDelete && (
        <ConfirmDialog
          title={confirmDelete.title}
          body={confirmDelete.body}
          confirmLabel={t("sidebar.delete")}
          cancelLabel={t("sidebar.cancel")}
          danger
          onConfirm={props.onConfirmDelete}
          onCancel={props.onCancelDelete}
        />
      )}
    </dialog>
  );
}
