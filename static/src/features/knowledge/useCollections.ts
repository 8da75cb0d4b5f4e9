import { useCallback, useEffect, useState } from "react";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { SessionExpiredError } from "../../api/errors";
import { listCollections } from "./api";

export interface Collections {
  /** Global and own collections; `null` until loaded. */
  items: KnowledgeCollectionView[] | null;
  error: unknown;
  reload: () => void;
}

/** The collections the user sees, loaded once and again on `reload`. */
export function useCollections(): Collections {
  const [items, setItems] = useState<KnowledgeCollectionView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(() => {
    listCollections().then(
      (list) => {
        setItems(list);
        setError(null);
      },
      (err: unknown) => {
        setItems((current) => current ?? []);
        if (!(err instanceof SessionExpiredError)) setError(err);
      },
    );
  }, []);
  useEffect(() => {
    reload();
  }, [reload]);
  return { items, error, reload };
}
