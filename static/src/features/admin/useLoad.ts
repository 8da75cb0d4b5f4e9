import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  reload: () => void;
}

/** Loads `load()` whenever `key` changes (and on `reload`); answers for an older key are dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ key: string; data: T | null; error: unknown }>({ key: "", data: null, error: null });
  const loadRef = useRef(load);
  const keyRef = useRef(key);
  useEffect(() => {
    loadRef.current = load;
    keyRef.current = key;
  });
  const run = useCallback((forKey: string) => {
    loadRef.current().then(
      (data) => {
        if (forKey === keyRef.current) setState({ key: forKey, data, error: null });
      },
      (error: unknown) => {
        if (forKey === keyRef.current) setState((s) => ({ key: forKey, data: s.data, error }));
      },
    );
  }, []);
  useEffect(() => {
    run(key);
  }, [key, run]);
  // The last answer stays while another key loads (no flicker between periods or after an edit).
  return { data: state.data, error: state.key === key ? state.error : null, reload: () => run(key) };
}
