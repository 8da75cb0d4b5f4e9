import { useMemo, useState } from "react";
import type { MessageView, StreamErrorCode } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { describeStreamError } from "../../lib/errors";
import { Markdown } from "./Markdown";
import { MessageFiles } from "../knowledge/AttachmentChips";
import { sourceElementId, Sources } from "../knowledge/Sources";
import type { AttachedFile, MessageKnowledge, MessageSource } from "../knowledge/types";

interface Props {
  message: MessageView;
  /** The display name of the model that wrote it. */
  modelName: string | null;
  /** Offer "try again" (the last answer, when it failed). */
  onRetry?: (() => void) | undefined;
  /** The code of the `error` event, when the failure happened in this view. */
  errorCode?: StreamErrorCode | undefined;
}

/** The user's message, as plain text (also while it is on its way), with the files it carried. */
export function UserMessage({ content, files = [] }: { content: string; files?: readonly AttachedFile[] | undefined }) {
  const { t } = useI18n();
  return (
    <article className="message message-user" data-testid="message-user" aria-label={t("chat.you")}>
      <div className="bubble">{content}</div>
      <MessageFiles files={files} />
    </article>
  );
}

const NO_SOURCES: readonly MessageSource[] = [];

/**
 * An answer's text with its sources under it: `[n]` in the text links to source `n` and opens
 * its passage.
 */
function AnswerBody({ messageId, text, sources }: { messageId: string; text: string; sources: readonly MessageSource[] }) {
  const [open, setOpen] = useState<number | null>(null);
  const citations = useMemo(
    () =>
      sources.length === 0
        ? undefined
        : {
            indices: new Set(sources.map((s) => s.index)),
            hrefFor: (index: number) => "#" + sourceElementId(messageId, index),
            onCite: (index: number) => {
              setOpen(index);
              document.getElementById(sourceElementId(messageId, index))?.scrollIntoView({ block: "nearest" });
            },
          },
    [sources, messageId],
  );
  return (
    <>
      {text !== "" && <Markdown text={text} citations={citations} />}
      <Sources messageId={messageId} sources={sources} open={open} onOpen={setOpen} />
    </>
  );
}

/** One message: the user's as plain text, an answer as Markdown with status and actions. */
export function MessageItem({ message, modelName, onRetry, errorCode }: Props) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const knowledge: MessageKnowledge = message;
  if (message.role === "user") return <UserMessage content={message.content} files={knowledge.files} />;
  const copy = () => {
    void navigator.clipboard.writeText(message.content).then(() => {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    }, () => undefined);
  };
  return (
    <article className="message message-assistant" data-testid="message-assistant" data-status={message.status} aria-label={t("chat.assistant")}>
      <div className="message-meta">
        <span className="assistant-mark" aria-hidden="true">
          <Icon name="spark" size={14} />
        </span>
        <span>{modelName ?? message.model ?? t("chat.assistant")}</span>
      </div>
      <AnswerBody messageId={message.id} text={message.content} sources={knowledge.sources ?? NO_SOURCES} />
      {message.status === "partial" && <p className="message-note">{t("chat.partial")}</p>}
      {message.status === "error" && (
        <div className="notice notice-error" role="alert" data-testid="answer-error">
          <Icon name="alert" />
          <div>
            {describeStreamError(errorCode, t) ?? t("chat.failed", { message: message.error ?? "" })}
            {describeStreamError(errorCode, t) !== null && message.error && <p className="error-detail">{message.error}</p>}
          </div>
        </div>
      )}
      <div className="message-actions">
        {message.content !== "" && (
          <button type="button" className="btn btn-ghost btn-small" onClick={copy}>
            <Icon name={copied ? "check" : "copy"} size={15} /> {t(copied ? "chat.copied" : "chat.copy")}
          </button>
        )}
        {onRetry && (
          <button type="button" className="btn btn-secondary btn-small" onClick={onRetry}>
            <Icon name="retry" size={15} /> {t("chat.retry")}
          </button>
        )}
      </div>
    </article>
  );
}

/** The answer while it streams: Markdown so far (and its sources), announced politely when complete. */
export function StreamingAnswer({ text, modelName, sources = NO_SOURCES }: { text: string; modelName: string | null; sources?: readonly MessageSource[] }) {
  const { t } = useI18n();
  return (
    <article className="message message-assistant streaming" data-testid="message-streaming" aria-label={t("chat.answerRegion")} aria-live="polite" aria-busy="true">
      <div className="message-meta">
        <span className="assistant-mark" aria-hidden="true">
          <Icon name="spark" size={14} />
        </span>
        <span>{modelName ?? t("chat.assistant")}</span>
      </div>
      {text === "" ? (
        <p className="thinking">
          <span className="dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {t("chat.thinking")}
        </p>
      ) : (
        <AnswerBody messageId="streaming" text={text} sources={sources} />
      )}
    </article>
  );
}
