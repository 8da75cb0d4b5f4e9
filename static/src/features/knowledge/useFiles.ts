import { useCallback, useEffect, useRef, useState } from "react";
import { SessionExpiredError } from "../../api/errors";
import { listFiles } from "./api";
import { stillWorking } from "./FileStatus";
import type { KnowledgeFile } from "./types";

/** How often the list looks again while a file is processed or embedded. */
const POLL_MS = 3000;

export interface Files {
  /** `null` while loading. */
  files: KnowledgeFile[] | null;
  error: unknown;
  reload: () => void;
}

/**
 * The files of `collection`, looked at again while work on one of them is under way. (A view of
 * another collection is a new component: the list starts empty.)
 */
export function useFiles(collection: string): Files {
  const [files, setFiles] = useState<KnowledgeFile[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const current = useRef(collection);
  const load = useCallback(() => {
    const forCollection = collection;
    listFiles(forCollection).then(
      (list) => {
        if (current.current !== forCollection) return;
        setFiles(list);
        setError(null);
      },
      (err: unknown) => {
        if (current.current === forCollection && !(err instanceof SessionExpiredError)) setError(err);
      },
    );
  }, [collection]);
  useEffect(() => {
    current.current = collection;
    load();
  }, [collection, load]);
  const working = files !== null && stillWorking(files);
  useEffect(() => {
    if (!working) return;
    const timer = window.setInterval(load, POLL_MS);
    return () => window.clearInterval(timer);
  }, [working, load]);
  return { files, error, reload: load };
}
