/**
 * The last refresh-token rotation, shared by the tabs through IndexedDB.
 *
 * Tabs take turns refreshing under a Web Lock, and a tab that gets the lock after another tab
 * refreshed must take that tab's tokens instead of spending the rotated refresh token again
 * (the server answers a replayed token by ending the session). `localStorage` cannot tell it
 * reliably: Chromium keeps a copy of it in each renderer process and brings that copy up to
 * date asynchronously, so a tab can hold the lock before it sees the other tab's write.
 * IndexedDB transactions are ordered by the browser: a rotation committed before the lock was
 * released is seen by the next holder. The record names the token that was spent and what
 * replaced it; only a tab about to spend exactly that token takes the replacement.
 *
 * Every failure here (no IndexedDB, private modes that refuse it, quota) reads as "no record":
 * refreshes then fall back to what `localStorage` shows.
 */

const DB_NAME = "hub";
const STORE = "rotation";
const KEY = "last";

export interface Rotation {
  /** The refresh token that was spent. */
  spent: string;
  /** What replaced it (checked by the reader: the stored shape is not trusted). */
  next: unknown;
}

let database: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  database ??= new Promise((resolve) => {
    try {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => {
        const db = request.result;
        // A newer version of the app upgrades the database: let it.
        db.onversionchange = () => {
          db.close();
          database = null;
        };
        resolve(db);
      };
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return database;
}

/** Runs one request in a transaction and resolves when the transaction is committed. */
async function transact(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
  const db = await open();
  if (db === null) return undefined;
  return new Promise((resolve) => {
    try {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result as unknown);
      transaction.onerror = () => resolve(undefined);
      transaction.onabort = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
}

/** The last rotation any tab committed, if there is one. */
export async function lastRotation(): Promise<Rotation | null> {
  const value: unknown = await transact("readonly", (store) => store.get(KEY));
  if (typeof value !== "object" || value === null) return null;
  const spent = (value as Record<string, unknown>)["spent"];
  return typeof spent === "string" ? { spent, next: (value as Record<string, unknown>)["next"] } : null;
}

/** Records a rotation (committed when the promise resolves); `null` forgets the last one. */
export async function recordRotation(rotation: Rotation | null): Promise<void> {
  await transact("readwrite", (store) => (rotation === null ? store.delete(KEY) : store.put(rotation, KEY)));
}
