import { useId, type KeyboardEvent, type ReactNode } from "react";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import type { TemplateView } from "../../api/types.gen";

/** The templates whose title (or body) contains `query`, titles first. */
export function matchTemplates(templates: TemplateView[], query: string): TemplateView[] {
  const q = query.trim().toLowerCase();
  if (q === "") return templates;
  const byTitle = templates.filter((t) => t.title.toLowerCase().includes(q));
  const byBody = templates.filter((t) => !t.title.toLowerCase().includes(q) && t.body.toLowerCase().includes(q));
  return [...byTitle, ...byBody];
}

/**
 * Arrow keys, Home/End, Enter and Escape for a list of `count` options with `active` the
 * highlighted one: whether the key was handled (then the caller's default is prevented).
 */
export function pickerKey(event: KeyboardEvent, count: number, active: number, move: (index: number) => void, pick: () => void, close: () => void): boolean {
  switch (event.key) {
    case "ArrowDown":
      if (count > 0) move((active + 1) % count);
      return true;
    case "ArrowUp":
      if (count > 0) move((active - 1 + count) % count);
      return true;
    case "Home":
      if (event.ctrlKey && count > 0) {
        move(0);
        return true;
      }
      return false;
    case "End":
      if (event.ctrlKey && count > 0) {
        move(count - 1);
        return true;
      }
      return false;
    case "Enter":
      if (event.shiftKey || count === 0) return false;
      pick();
      return true;
    case "Escape":
      close();
      return true;
    case "Tab":
      close();
      return false;
    default:
      return false;
  }
}

interface Props {
  /** The id of the listbox (the combobox points at it). */
  listId: string;
  templates: TemplateView[] | null;
  /** The matches shown (see [`matchTemplates`]). */
  matches: TemplateView[];
  active: number;
  onPick: (template: TemplateView) => void;
  onHover: (index: number) => void;
  onManage: () => void;
  /** A search field above the list (opened with the button; `/` filters with the composer's text). */
  search?: ReactNode;
}

/** The id of option `index` of the listbox `listId` (for `aria-activedescendant`). */
export function optionId(listId: string, index: number): string {
  return listId + "-option-" + String(index);
}

/** The template list above the composer: a listbox the composer (or the search field) drives. */
export function TemplatePicker({ listId, templates, matches, active, onPick, onHover, onManage, search }: Props) {
  const { t } = useI18n();
  const hintId = useId();
  return (
    <div className="template-picker" data-testid="template-picker">
      {search}
      {templates === null ? (
        <p className="muted picker-note">{t("common.loading")}</p>
      ) : matches.length === 0 ? (
        <p className="muted picker-note">{templates.length === 0 ? t("templates.none") : t("templates.noMatch")}</p>
      ) : (
        <ul role="listbox" id={listId} aria-label={t("templates.title")} aria-describedby={hintId} className="picker-list">
          {matches.map((template, index) => (
            <li
              key={template.id}
              id={optionId(listId, index)}
              role="option"
              aria-selected={index === active}
              className={index === active ? "picker-option active" : "picker-option"}
              // Keeps the focus in the composer (or the search field).
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => onHover(index)}
              onClick={() => onPick(template)}
              data-testid="template-option"
            >
              <span className="picker-title">
                {template.title}
                {template.scope === "global" && <span className="badge badge-accent">{t("scope.global")}</span>}
              </span>
              <span className="picker-sub">
                {template.variables.length === 0
                  ? t("templates.noVariables")
                  : template.variables.map((v) => v.name).join(", ")}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="picker-foot">
        <span id={hintId} className="picker-hint">
          {t("templates.pickerHint")}
        </span>
        <button type="button" className="btn btn-ghost btn-small" onMouseDown={(e) => e.preventDefault()} onClick={onManage}>
          <Icon name="settings" size={15} /> {t("templates.manage")}
        </button>
      </div>
    </div>
  );
}
