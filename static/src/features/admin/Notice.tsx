import { ApiError } from "../../api/errors";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { Icon } from "../../components/ui/Icon";
import type { PagedList } from "./usePagedList";

/** A failed admin request: "no access" for a 403 `forbidden` (demoted meanwhile), else the error. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (error === null || error === undefined) return null;
  const forbidden = error instanceof ApiError && error.code === "forbidden";
  return (
    <div className="notice notice-error failure" role="alert" data-testid={forbidden ? "admin-forbidden" : "admin-error"}>
      <span>
        <Icon name="alert" /> {forbidden ? t("admin.forbidden") : describeError(error, t)}
      </span>
      {onRetry && !forbidden && (
        <button type="button" className="btn btn-secondary btn-small" onClick={onRetry}>
          <Icon name="retry" /> {t("admin.retry")}
        </button>
      )}
    </div>
  );
}

/** Under a paged table: "loading", the empty text, or "load more". */
export function ListFooter<T>({ list, empty }: { list: PagedList<T>; empty: string }) {
  const { t } = useI18n();
  return (
    <>
      {!list.loaded && <p className="muted">{t("admin.loading")}</p>}
      {list.loaded && list.items.length === 0 && list.error === null && <p className="muted">{empty}</p>}
      {list.hasMore && (
        <button type="button" className="btn btn-secondary load-more" disabled={list.loadingMore} onClick={list.loadMore}>
          {t("admin.loadMore")}
        </button>
      )}
    </>
  );
}
