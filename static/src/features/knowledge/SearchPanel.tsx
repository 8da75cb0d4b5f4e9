import { useId, useRef, useState, type SyntheticEvent } from "react";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { SessionExpiredError } from "../../api/errors";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { Icon } from "../../components/ui/Icon";
import { downloadFile, search } from "./api";
import { placeLabel } from "./format";
import { Snippet } from "./Snippet";
import type { KnowledgeMode, SearchResults } from "./types";

/** "Keyword search": shown wherever results match words only (no embedding model). */
export function KeywordBadge() {
  const { t } = useI18n();
  return (
    <span className="badge badge-warning" data-testid="keyword-mode" title={t("knowledge.keywordHint")}>
      {t("knowledge.keywordMode")}
    </span>
  );
}

interface Props {
  collections: KnowledgeCollectionView[];
  /** The mode the status reported (`null`: unknown). */
  mode: KnowledgeMode | null;
}

/** Searches the passages the user may read, in all collections or one; snippets with their matches in bold. */
export function SearchPanel({ collections, mode }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [query, setQuery] = useState("");
  const [scope, setScope] = useState("");
  const [results, setResults] = useState<SearchResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const controller = useRef<AbortController | null>(null);

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (q === "") return;
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setBusy(true);
    setError(null);
    search(q, scope === "" ? null : scope, current.signal).then(
      (answer) => {
        setResults(answer);
        setBusy(false);
      },
      (err: unknown) => {
        if (err instanceof DOMException && err.name === "AbortError") return;
        setBusy(false);
        if (!(err instanceof SessionExpiredError)) setError(describeError(err, t));
      },
    );
  };
  const shownMode = results?.mode ?? mode;

  return (
    <section className="knowledge-search" aria-labelledby={id + "title"} data-testid="knowledge-search">
      <div className="knowledge-section-head">
        <h2 id={id + "title"}>{t("knowledge.search")}</h2>
        {shownMode === "keyword" && <KeywordBadge />}
      </div>
      <form className="search-form" role="search" onSubmit={submit}>
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder={t("knowledge.searchPlaceholder")}
          aria-label={t("knowledge.searchLabel")}
          maxLength={500}
          data-testid="knowledge-query"
        />
        <select value={scope} onChange={(e) => setScope(e.target.value)} aria-label={t("knowledge.searchScope")}>
          <option value="">{t("knowledge.allCollections")}</option>
          {collections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <button type="submit" className="btn btn-primary btn-small" disabled={busy || query.trim() === ""}>
          <Icon name="search" size={16} /> {t("knowledge.searchButton")}
        </button>
      </form>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {results !== null && (
        <div aria-live="polite">
          <p className="muted">{results.items.length === 0 ? t("knowledge.noHits") : results.items.length === 1 ? t("knowledge.oneHit") : t("knowledge.hits", { count: results.items.length })}</p>
          <ol className="hit-list">
            {results.items.map((hit) => (
              <li key={hit.file_id + ":" + String(hit.ordinal)} className="hit" data-testid="search-hit">
                <div className="hit-head">
                  <button type="button" className="link-button" onClick={() => void downloadFile(hit.file_id, hit.file_name).catch((err: unknown) => setError(describeError(err, t)))}>
                    {placeLabel(hit.file_name, hit.page, t)}
                  </button>
                  {hit.heading_path.length > 0 && <span className="cell-sub"> · {hit.heading_path.join(" › ")}</span>}
                </div>
                <p className="hit-snippet">
                  <Snippet text={hit.snippet} />
                </p>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
