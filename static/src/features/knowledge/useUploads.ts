import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, SessionExpiredError } from "../../api/errors";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { uploadFile } from "./api";
import type { KnowledgeFile } from "./types";

/** One upload: under way (`progress`), done (`file`, which may have `failed` processing), or refused (`error`). */
export interface Upload {
  key: string;
  name: string;
  /** The share of the bytes sent, 0 to 1. */
  progress: number;
  file: KnowledgeFile | null;
  error: string | null;
}

export interface Uploads {
  items: Upload[];
  /** Starts uploading each of `files` (in parallel). */
  add: (files: Iterable<File>) => void;
  /** Forgets an upload (aborting it while it runs). */
  remove: (key: string) => void;
  clear: () => void;
  /** Some upload is still sending. */
  busy: boolean;
}

let nextKey = 0;

export interface UploadOptions {
  /** Hears of every stored file. */
  onDone?: (file: KnowledgeFile) => void;
  /** Forget an upload once its file is stored (the caller lists the files itself). */
  forgetDone?: boolean;
}

/**
 * Uploads files into `collection` (`null`: files on their own, to attach to a message), each
 * with its progress.
 */
export function useUploads(collection: string | null, { onDone, forgetDone = false }: UploadOptions = {}): Uploads {
  const { t } = useI18n();
  const [items, setItems] = useState<Upload[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  const onDoneRef = useRef(onDone);
  useEffect(() => {
    onDoneRef.current = onDone;
  });
  // Uploads still running when the view goes away are aborted.
  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const controller of running.values()) controller.abort();
    };
  }, []);

  const patch = useCallback((key: string, change: Partial<Upload>) => {
    setItems((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }, []);

  const add = (files: Iterable<File>) => {
    for (const file of files) {
      const key = "upload-" + String(nextKey++);
      const controller = new AbortController();
      controllers.current.set(key, controller);
      setItems((list) => [...list, { key, name: file.name, progress: 0, file: null, error: null }]);
      uploadFile(file, collection, { signal: controller.signal, onProgress: (progress) => patch(key, { progress }) }).then(
        (stored) => {
          controllers.current.delete(key);
          if (forgetDone) setItems((list) => list.filter((u) => u.key !== key));
          else patch(key, { name: stored.name, progress: 1, file: stored, error: null });
          onDoneRef.current?.(stored);
        },
        (err: unknown) => {
          controllers.current.delete(key);
          if (err instanceof DOMException && err.name === "AbortError") return;
          if (err instanceof SessionExpiredError) return;
          // An empty body is refused before anything is stored: say it as for a stored file.
          const empty = err instanceof ApiError && err.code === "invalid_input" && err.field === "body";
          patch(key, { error: empty ? t("knowledge.failure.empty") : describeError(err, t) });
        },
      );
    }
  };

  const remove = (key: string) => {
    controllers.current.get(key)?.abort();
    controllers.current.delete(key);
    setItems((list) => list.filter((u) => u.key !== key));
  };

  return {
    items,
    add,
    remove,
    clear: () => setItems([]),
    busy: items.some((u) => u.file === null && u.error === null),
  };
}
