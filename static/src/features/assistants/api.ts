/** The assistant and template routes (`/api/assistants`, `/api/templates`). */
import { apiJson } from "../../api/client";
import type { Page } from "../../api/types.gen";
import type {
  AssistantView,
  CreateAssistant,
  CreateTemplate,
  RenderedTemplate,
  TemplateView,
  UpdateAssistant,
  UpdateTemplate,
} from "../../api/types.gen";

/** Most pages read for one list (global + own: a few hundred items). */
const MAX_PAGES = 10;

/** Every item of a paged list, page after page (up to [`MAX_PAGES`]). */
export async function listAllPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor !== null) query.set("cursor", cursor);
    const answer: Page<T> = await apiJson<Page<T>>("GET", path + "?" + query.toString());
    items.push(...answer.items);
    cursor = answer.next_cursor;
    if (cursor === null) break;
  }
  return items;
}

const id = (value: string) => encodeURIComponent(value);

export function listAssistants(): Promise<AssistantView[]> {
  return listAllPages<AssistantView>("/api/assistants");
}

export function createAssistant(body: CreateAssistant): Promise<AssistantView> {
  return apiJson("POST", "/api/assistants", { body });
}

export function updateAssistant(assistant: string, body: UpdateAssistant): Promise<AssistantView> {
  return apiJson("PATCH", "/api/assistants/" + id(assistant), { body });
}

export function deleteAssistant(assistant: string): Promise<void> {
  return apiJson("DELETE", "/api/assistants/" + id(assistant));
}

export function listTemplates(): Promise<TemplateView[]> {
  return listAllPages<TemplateView>("/api/templates");
}

export function createTemplate(body: CreateTemplate): Promise<TemplateView> {
  return apiJson("POST", "/api/templates", { body });
}

export function updateTemplate(template: string, body: UpdateTemplate): Promise<TemplateView> {
  return apiJson("PATCH", "/api/templates/" + id(template), { body });
}

export function deleteTemplate(template: string): Promise<void> {
  return apiJson("DELETE", "/api/templates/" + id(template));
}

/** The body with every variable filled (the API refuses missing or unknown names). */
export async function renderTemplate(template: string, values: Record<string, string>): Promise<string> {
  const answer = await apiJson<RenderedTemplate>("POST", "/api/templates/" + id(template) + "/render", { body: { values } });
  return answer.text;
}
