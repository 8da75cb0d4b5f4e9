import { useState } from "react";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Icon } from "../../components/ui/Icon";
import { deleteFile, downloadFile } from "./api";
import { FileStatus } from "./FileStatus";
import { formatSize, kindLabel } from "./format";
import type { KnowledgeFile } from "./types";
import { UploadList, UploadZone } from "./UploadZone";
import { useFiles } from "./useFiles";
import { useUploads } from "./useUploads";

/** The files of a collection: upload (drop or pick, with progress), status, download, delete. */
export function FileTable({ collection }: { collection: KnowledgeCollectionView }) {
  const { t, locale } = useI18n();
  const { files, error, reload } = useFiles(collection.id);
  const uploads = useUploads(collection.id, { onDone: reload, forgetDone: true });
  const [deleting, setDeleting] = useState<KnowledgeFile | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [status, setStatus] = useState("");

  const act = (run: () => Promise<void>, done?: string) => {
    setActionError(null);
    run().then(
      () => {
        if (done !== undefined) setStatus(done);
      },
      (err: unknown) => setActionError(describeError(err, t)),
    );
  };

  return (
    <div className="file-panel">
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      {collection.editable ? <UploadZone onFiles={uploads.add} /> : <p className="field-hint">{t("knowledge.readOnly")}</p>}
      <UploadList uploads={uploads.items} onDismiss={uploads.remove} />
      {(actionError ?? (error !== null ? describeError(error, t) : null)) && (
        <p className="notice notice-error" role="alert">
          {actionError ?? describeError(error, t)}
        </p>
      )}
      {files === null && error === null && <p className="muted">{t("common.loading")}</p>}
      {files !== null && files.length === 0 && <p className="muted">{t("knowledge.noFiles")}</p>}
      {files !== null && files.length > 0 && (
        <ul className="file-list" data-testid="file-list">
          {files.map((file) => (
            <li key={file.id} className="file-row" data-testid="file-row" data-name={file.name}>
              <Icon name="file" size={18} />
              <div className="file-text">
                <div className="file-name">{file.name}</div>
                <div className="cell-sub">
                  {kindLabel(file.kind, t)} · {formatSize(file.size_bytes, locale)}
                  {file.page_count !== null && " · " + t("knowledge.pages", { count: file.page_count })}
                </div>
                <FileStatus file={file} />
              </div>
              <div className="file-actions">
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t("knowledge.download", { name: file.name })}
                  title={t("knowledge.download", { name: file.name })}
                  onClick={() => act(() => downloadFile(file.id, file.name))}
                >
                  <Icon name="download" size={16} />
                </button>
                {file.deletable && (
                  <button type="button" className="icon-button" aria-label={t("knowledge.deleteFile", { name: file.name })} onClick={() => setDeleting(file)}>
                    <Icon name="trash" size={16} />
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {deleting && (
        <ConfirmDialog
          title={t("knowledge.deleteFileTitle")}
          body={t("knowledge.deleteFileBody", { name: deleting.name })}
          confirmLabel={t("sidebar.delete")}
          cancelLabel={t("sidebar.cancel")}
          danger
          onConfirm={() => {
            const file = deleting;
            setDeleting(null);
            act(async () => {
              await deleteFile(file.id);
              reload();
            }, t("knowledge.fileDeleted", { name: file.name }));
          }}
          onCancel={() => setDeleting(null)}
        />
      )}
    </div>
  );
}
