import { useId, useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { Icon } from "../../components/ui/Icon";
import { downloadFile } from "./api";
import { placeLabel } from "./format";
import { plainSnippet, Snippet } from "./Snippet";
import type { MessageSource } from "./types";

/** The element id of source `index` of message `messageId` (the target of `[n]` in the answer). */
export function sourceElementId(messageId: string, index: number): string {
  return "source-" + messageId + "-" + String(index);
}

interface Props {
  messageId: string;
  sources: readonly MessageSource[];
  /** The source whose passage is open (a click on `[n]` in the answer opens it). */
  open: number | null;
  onOpen: (index: number | null) => void;
}

/** The passages an answer drew on, numbered as it cites them; each opens to its passage and a download. */
export function Sources({ messageId, sources, open, onOpen }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  if (sources.length === 0) return null;
  return (
    <section className="sources" aria-labelledby={id} data-testid="sources">
      <h3 id={id} className="sources-title">
        {t("sources.title")}
      </h3>
      <ol className="source-list">
        {sources.map((source) => {
          const expanded = open === source.index;
          const panel = sourceElementId(messageId, source.index) + "-passage";
          return (
            <li key={source.index} id={sourceElementId(messageId, source.index)} className={expanded ? "source open" : "source"} data-testid="source">
              <button
                type="button"
                className="source-button"
                aria-expanded={expanded}
                aria-controls={panel}
                title={plainSnippet(source.snippet)}
                onClick={() => onOpen(expanded ? null : source.index)}
              >
                <span className="source-index">[{source.index}]</span>
                <span className="source-name">{placeLabel(source.file_name, source.page, t)}</span>
              </button>
              {expanded && (
                <div id={panel} className="source-passage" data-testid="source-passage">
                  {source.heading_path.length > 0 && <p className="cell-sub">{source.heading_path.join(" › ")}</p>}
                  <p>
                    <Snippet text={source.snippet} />
                  </p>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    onClick={() => {
                      setError(null);
                      downloadFile(source.file_id, source.file_name).catch((err: unknown) => setError(describeError(err, t)));
                    }}
                  >
                    <Icon name="download" size={15} /> {t("sources.download", { name: source.file_name })}
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
