import { useCallback, useEffect, useState } from "react";
import { SessionExpiredError } from "../../api/errors";
import { listAssistants, listTemplates } from "./api";
import type { AssistantView, TemplateView } from "../../api/types.gen";

export interface PromptLibrary {
  /** Global and own assistants; `null` until loaded. */
  assistants: AssistantView[] | null;
  /** Global and own templates; `null` until loaded. */
  templates: TemplateView[] | null;
  reloadAssistants: () => void;
  reloadTemplates: () => void;
}

/** The assistants and templates the user may use, loaded at the start and after each change. */
export function usePromptLibrary(report: (err: unknown) => void): PromptLibrary {
  const [assistants, setAssistants] = useState<AssistantView[] | null>(null);
  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const fail = useCallback(
    (err: unknown) => {
      if (!(err instanceof SessionExpiredError)) report(err);
    },
    [report],
  );
  const reloadAssistants = useCallback(() => {
    listAssistants().then(setAssistants, (err: unknown) => {
      setAssistants((current) => current ?? []);
      fail(err);
    });
  }, [fail]);
  const reloadTemplates = useCallback(() => {
    listTemplates().then(setTemplates, (err: unknown) => {
      setTemplates((current) => current ?? []);
      fail(err);
    });
  }, [fail]);
  useEffect(() => {
    reloadAssistants();
    reloadTemplates();
  }, [reloadAssistants, reloadTemplates]);
  return { assistants, templates, reloadAssistants, reloadTemplates };
}
