import { useEffect, useId, useRef, useState, type SyntheticEvent, type KeyboardEvent } from "react";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { matchTemplates, optionId, pickerKey, TemplatePicker } from "../assistants/TemplatePicker";
import { TemplateFillDialog } from "../assistants/TemplateFillDialog";
import { renderTemplate } from "../assistants/api";
import type { TemplateView } from "../../api/types.gen";
import { AttachmentChips } from "../knowledge/AttachmentChips";
import { ACCEPTED } from "../knowledge/UploadZone";
import type { Uploads } from "../knowledge/useUploads";

interface Props {
  value: string;
  onChange: (value: string) => void;
  onSend: () => void;
  onStop: () => void;
  streaming: boolean;
  disabled: boolean;
  /** The templates the picker offers; `null` while they load. */
  templates: TemplateView[] | null;
  onManageTemplates: () => void;
  /** Reports a failure (filling a template without variables). */
  onError: (err: unknown) => void;
  /** The files attached to the next message. */
  attachments: Uploads;
}

/** How the picker was opened: `/` at the start of the input (its text filters) or the button. */
type Picker = { via: "slash" | "button"; query: string; active: number };

/** `/` and what follows, on one line: the composer's text filters the templates. */
const SLASH = /^\/([^\n]*)$/;

/**
 * The message input: Enter sends, Shift+Enter adds a line; grows with its text. A template is
 * picked with the button or by typing `/` at the start: its variables are asked for, then its
 * filled text replaces the `/...` (or is added to what is written).
 */
export function Composer({ value, onChange, onSend, onStop, streaming, disabled, templates, onManageTemplates, onError, attachments }: Props) {
  const { t } = useI18n();
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const [picker, setPicker] = useState<Picker | null>(null);
  const [filling, setFilling] = useState<{ template: TemplateView; via: Picker["via"] } | null>(null);
  useEffect(() => {
    const area = ref.current;
    if (area === null) return;
    area.style.height = "auto";
    area.style.height = String(Math.min(area.scrollHeight, 240)) + "px";
  }, [value]);
  // Files still uploading hold the message back (it would go without them).
  const canSend = !streaming && !disabled && value.trim() !== "" && !attachments.busy;
  const matches = picker === null ? [] : matchTemplates(templates ?? [], picker.query);
  const listId = id + "-templates";
  const activeIndex = picker === null ? 0 : Math.min(picker.active, Math.max(matches.length - 1, 0));

  const closePicker = (focusInput: boolean) => {
    const via = picker?.via;
    setPicker(null);
    if (focusInput || via === "slash") ref.current?.focus();
    else buttonRef.current?.focus();
  };

  /** The template's text into the composer: in place of `/...`, else after what is written. */
  const insert = (text: string, via: Picker["via"]) => {
    const next = via === "slash" || value.trim() === "" ? text : value.replace(/\s*$/, "") + "\n\n" + text;
    onChange(next);
    window.requestAnimationFrame(() => {
      const area = ref.current;
      if (area === null) return;
      area.focus();
      area.setSelectionRange(next.length, next.length);
    });
  };

  const pick = (template: TemplateView) => {
    const via = picker?.via ?? "button";
    setPicker(null);
    if (template.variables.length > 0) {
      setFilling({ template, via });
      return;
    }
    renderTemplate(template.id, {}).then((text) => insert(text, via), onError);
  };

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (canSend) onSend();
  };

  const change = (next: string) => {
    onChange(next);
    const slash = SLASH.exec(next);
    if (slash && (picker !== null || value === "")) setPicker({ via: "slash", query: slash[1] ?? "", active: 0 });
    else if (picker?.via === "slash") setPicker(null);
  };

  const pickerKeys = (event: KeyboardEvent) => {
    if (picker === null) return false;
    const handled = pickerKey(
      event,
      matches.length,
      activeIndex,
      (active) => setPicker({ ...picker, active }),
      () => {
        const template = matches[activeIndex];
        if (template) pick(template);
      },
      () => closePicker(picker.via === "slash"),
    );
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
    return handled;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (picker?.via === "slash" && pickerKeys(event)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (canSend) onSend();
    }
  };

  const slashOpen = picker?.via === "slash" && matches.length > 0;
  return (
    <>
      <div className="composer-wrap">
        {picker !== null && (
          <TemplatePicker
            listId={listId}
            templates={templates}
            matches={matches}
            active={activeIndex}
            onPick={pick}
            onHover={(active) => setPicker({ ...picker, active })}
            onManage={() => {
              setPicker(null);
              onManageTemplates();
            }}
            search={
              picker.via === "button" ? (
                <input
                  type="search"
                  className="picker-search"
                  role="combobox"
                  aria-expanded={matches.length > 0}
                  aria-controls={listId}
                  aria-autocomplete="list"
                  aria-activedescendant={matches.length > 0 ? optionId(listId, activeIndex) : undefined}
                  aria-label={t("templates.search")}
                  placeholder={t("templates.search")}
                  value={picker.query}
                  autoFocus
                  onChange={(e) => setPicker({ ...picker, query: e.target.value, active: 0 })}
                  onKeyDown={(e) => void pickerKeys(e)}
                  onBlur={(e) => {
                    // Leaving the picker (not to one of its own controls, nor to the button that
                    // toggles it) closes it.
                    const to = e.relatedTarget;
                    if (to !== buttonRef.current && !to?.closest(".template-picker")) setPicker(null);
                  }}
                />
              ) : undefined
            }
          />
        )}
        <AttachmentChips uploads={attachments.items} onRemove={attachments.remove} />
        <form className="composer" onSubmit={submit}>
          <label htmlFor={id} className="visually-hidden">
            {t("chat.inputLabel")}
          </label>
          <button
            ref={buttonRef}
            type="button"
            className="icon-button composer-tool"
            aria-label={t("templates.open")}
            title={t("templates.open")}
            aria-haspopup="listbox"
            aria-expanded={picker?.via === "button"}
            disabled={disabled}
            onClick={() => (picker?.via === "button" ? setPicker(null) : setPicker({ via: "button", query: "", active: 0 }))}
            data-testid="template-button"
          >
            <Icon name="template" />
          </button>
          <button
            type="button"
            className="icon-button composer-tool"
            aria-label={t("attach.file")}
            title={t("attach.file")}
            disabled={disabled}
            onClick={() => fileRef.current?.click()}
            data-testid="attach-button"
          >
            <Icon name="paperclip" />
          </button>
          <input
            ref={fileRef}
            type="file"
            multiple
            accept={ACCEPTED}
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            data-testid="attach-input"
            onChange={(event) => {
              const files = Array.from(event.target.files ?? []);
              event.target.value = "";
              if (files.length > 0) attachments.add(files);
              ref.current?.focus();
            }}
          />
          <textarea
            ref={ref}
            id={id}
            rows={1}
            value={value}
            placeholder={t("chat.inputPlaceholder")}
            aria-describedby={id + "-hint"}
            role={picker?.via === "slash" ? "combobox" : undefined}
            aria-expanded={picker?.via === "slash" ? slashOpen : undefined}
            aria-controls={picker?.via === "slash" ? listId : undefined}
            aria-autocomplete={picker?.via === "slash" ? "list" : undefined}
            aria-activedescendant={slashOpen ? optionId(listId, activeIndex) : undefined}
            onChange={(e) => change(e.target.value)}
            onKeyDown={onKeyDown}
            onBlur={(e) => {
              if (picker?.via === "slash" && !e.relatedTarget?.closest(".template-picker")) setPicker(null);
            }}
            maxLength={100000}
            data-testid="composer-input"
          />
          {streaming ? (
            <button type="button" className="btn btn-secondary composer-button" onClick={onStop} data-testid="stop">
              <Icon name="stop" /> {t("chat.stop")}
            </button>
          ) : (
            <button type="submit" className="btn btn-primary composer-button" disabled={!canSend} data-testid="send">
              <Icon name="send" /> {t("chat.send")}
            </button>
          )}
        </form>
      </div>
      <p id={id + "-hint"} className="composer-hint">
        {t("chat.inputHint")}
      </p>
      {filling && (
        <TemplateFillDialog
          template={filling.template}
          onCancel={() => {
            setFilling(null);
            ref.current?.focus();
          }}
          onFilled={(text) => {
            const via = filling.via;
            setFilling(null);
            insert(text, via);
          }}
        />
      )}
    </>
  );
}
