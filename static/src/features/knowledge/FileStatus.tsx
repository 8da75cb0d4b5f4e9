import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import type { FileEmbedding, KnowledgeFile } from "./types";

/** A file's processing state, and its embedding state once it is ready. */
export function FileStatus({ file }: { file: KnowledgeFile }) {
  const { t } = useI18n();
  if (file.status === "processing") return <span className="badge" data-testid="file-status">{t("knowledge.status.processing")}</span>;
  if (file.status === "failed") {
    return (
      <span className="file-failure" data-testid="file-status" data-status="failed">
        <span className="badge badge-danger">{t("knowledge.status.failed")}</span>{" "}
        <span className="cell-sub" title={file.reason ?? undefined}>
          {file.reason_code !== null ? t(`knowledge.failure.${file.reason_code}`) : (file.reason ?? "")}
        </span>
      </span>
    );
  }
  const embedding = embeddingOf(file);
  return (
    <span className="file-state" data-testid="file-status" data-status="ready" data-embedding={embedding?.status ?? ""}>
      <span className="badge badge-success">{t("knowledge.status.ready")}</span>
      {embedding?.status === "none" && (
        <span className="badge" title={t("knowledge.embedding.noneHint")}>
          {t("knowledge.embedding.none")}
        </span>
      )}
      {embedding?.status === "pending" && <span className="badge badge-accent">{t("knowledge.embedding.pending")}</span>}
      {embedding?.status === "failed" && (
        <span className="badge badge-warning" title={t("knowledge.embedding.failedHint", { error: embedding.error ?? "" })}>
          <Icon name="alert" size={12} /> {t("knowledge.embedding.failed")}
          <span className="visually-hidden"> {t("knowledge.embedding.failedHint", { error: embedding.error ?? "" })}</span>
        </span>
      )}
    </span>
  );
}

/** A file's embedding state; `undefined` from a hub without embeddings. */
function embeddingOf(file: { embedding?: FileEmbedding }): FileEmbedding | undefined {
  return file.embedding;
}

/** Whether the list should look again soon: work is still under way for some file. */
export function stillWorking(files: readonly KnowledgeFile[]): boolean {
  return files.some((f) => f.status === "processing" || embeddingOf(f)?.status === "pending");
}
