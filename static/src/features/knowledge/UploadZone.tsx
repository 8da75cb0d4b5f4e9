import { useId, useRef, useState, type DragEvent } from "react";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import type { Upload } from "./useUploads";

/** The file types the hub reads (it sniffs the bytes; this only guides the file picker). */
export const ACCEPTED = ".pdf,.docx,.md,.markdown,.txt,.text,.csv,.json,application/pdf,text/plain,text/markdown";

/** Drop files here, or choose them: each is handed to `onFiles`. */
export function UploadZone({ onFiles, disabled = false }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabled && event.dataTransfer.files.length > 0) onFiles(Array.from(event.dataTransfer.files));
  };
  return (
    <div
      className={over ? "upload-zone over" : "upload-zone"}
      data-testid="upload-zone"
      onDragOver={(event) => {
        event.preventDefault();
        if (!disabled) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <Icon name="upload" size={22} />
      <span>{t("knowledge.dropHere")}</span>
      <button type="button" className="btn btn-secondary btn-small" disabled={disabled} onClick={() => input.current?.click()}>
        {t("knowledge.choose")}
      </button>
      <input
        ref={input}
        id={id}
        type="file"
        multiple
        accept={ACCEPTED}
        className="visually-hidden"
        tabIndex={-1}
        aria-label={t("knowledge.choose")}
        data-testid="upload-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = "";
          if (files.length > 0) onFiles(files);
        }}
      />
      <span className="field-hint">{t("knowledge.uploadHint")}</span>
    </div>
  );
}

/** An upload's progress bar (labelled with its name and share). */
export function UploadProgress({ upload }: { upload: Upload }) {
  const { t } = useI18n();
  const percent = Math.round(upload.progress * 100);
  return (
    <progress
      className="upload-progress"
      max={100}
      value={percent}
      aria-label={t("knowledge.uploading", { name: upload.name, percent })}
    />
  );
}

/** The uploads under way or refused, each with its progress or error (refused ones can be dismissed). */
export function UploadList({ uploads, onDismiss }: { uploads: Upload[]; onDismiss: (key: string) => void }) {
  const { t } = useI18n();
  const shown = uploads.filter((u) => u.file === null);
  if (shown.length === 0) return null;
  return (
    <ul className="upload-list" aria-label={t("knowledge.uploads")}>
      {shown.map((upload) => (
        <li key={upload.key} className="upload-item" data-testid="upload-item">
          <span className="upload-name">{upload.name}</span>
          {upload.error === null ? (
            <UploadProgress upload={upload} />
          ) : (
            <span className="notice notice-error upload-error" role="alert">
              {upload.error}
            </span>
          )}
          <button type="button" className="icon-button small" aria-label={t("knowledge.dismiss", { name: upload.name })} onClick={() => onDismiss(upload.key)}>
            <Icon name="close" size={14} />
          </button>
        </li>
      ))}
    </ul>
  );
}
