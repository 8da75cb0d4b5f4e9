import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { UploadProgress } from "./UploadZone";
import type { Upload } from "./useUploads";
import type { AttachedFile } from "./types";

/** The files attached to the next message: name, progress or failure, and a remove button. */
export function AttachmentChips({ uploads, onRemove }: { uploads: Upload[]; onRemove: (key: string) => void }) {
  const { t } = useI18n();
  if (uploads.length === 0) return null;
  return (
    <ul className="chip-list attachments" aria-label={t("attach.list")} data-testid="attachments">
      {uploads.map((upload) => {
        const failed = upload.error ?? (upload.file?.status === "failed" ? (upload.file.reason ?? t("knowledge.status.failed")) : null);
        return (
          <li
            key={upload.key}
            className={failed === null ? "chip" : "chip chip-danger"}
            data-testid="attachment"
            data-state={failed !== null ? "failed" : upload.file === null ? "uploading" : "ready"}
            title={failed ?? upload.name}
          >
            <Icon name={failed === null ? "paperclip" : "alert"} size={13} />
            <span className="chip-text">{upload.name}</span>
            {upload.file === null && upload.error === null && <UploadProgress upload={upload} />}
            {failed !== null && <span className="visually-hidden">{failed}</span>}
            <button type="button" className="chip-remove" aria-label={t("attach.remove", { name: upload.name })} onClick={() => onRemove(upload.key)}>
              <Icon name="close" size={12} />
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** The files a stored question carried. */
export function MessageFiles({ files }: { files: readonly AttachedFile[] }) {
  const { t } = useI18n();
  if (files.length === 0) return null;
  return (
    <ul className="chip-list message-files" aria-label={t("attach.sent")}>
      {files.map((file) => (
        <li key={file.id} className="chip" data-testid="message-file">
          <Icon name="paperclip" size={13} />
          <span className="chip-text">{file.name}</span>
        </li>
      ))}
    </ul>
  );
}
