import { useCallback, useEffect, useRef, useState } from "react";
import { loadDraft, saveDraft } from "./draft";

export interface Draft {
  text: string;
  /** Changes the text (and keeps it for the conversation). */
  set: (text: string) => void;
  /** The new conversation got its id: `text` is kept for it from now on. */
  moveTo: (chatId: string, text: string) => void;
}

/** The unsent message of the conversation `chatId` (`null`: a new one), kept in storage. */
export function useDraft(chatId: string | null): Draft {
  const [text, setText] = useState(() => loadDraft(chatId));
  /** The conversation the text is kept for. */
  const key = useRef(chatId);

  useEffect(() => {
    if (chatId !== null) key.current = chatId;
  }, [chatId]);

  const set = useCallback((next: string) => {
    setText(next);
    saveDraft(key.current, next);
  }, []);

  const moveTo = useCallback((id: string, moved: string) => {
    key.current = id;
    saveDraft(null, "");
    saveDraft(id, moved);
  }, []);

  return { text, set, moveTo };
}
