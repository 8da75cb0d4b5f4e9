import { useEffect, useId, useRef, type SyntheticEvent, type KeyboardEvent } from "react";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";

interface Props {
  value: string;
  onChange: (value: string) => void;
  onSend: () => void;
  onStop: () => void;
  streaming: boolean;
  disabled: boolean;
}

/** The message input: Enter sends, Shift+Enter adds a line; grows with its text. */
export function Composer({ value, onChange, onSend, onStop, streaming, disabled }: Props) {
  const { t } = useI18n();
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const area = ref.current;
    if (area === null) return;
    area.style.height = "auto";
    area.style.height = String(Math.min(area.scrollHeight, 240)) + "px";
  }, [value]);
  const canSend = !streaming && !disabled && value.trim() !== "";
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (canSend) onSend();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (canSend) onSend();
    }
  };
  return (
    <>
      <form className="composer" onSubmit={submit}>
        <label htmlFor={id} className="visually-hidden">
          {t("chat.inputLabel")}
        </label>
        <textarea
          ref={ref}
          id={id}
          rows={1}
          value={value}
          placeholder={t("chat.inputPlaceholder")}
          aria-describedby={id + "-hint"}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
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
      <p id={id + "-hint"} className="composer-hint">
        {t("chat.inputHint")}
      </p>
    </>
  );
}
