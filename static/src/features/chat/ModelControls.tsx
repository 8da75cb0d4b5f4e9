import { useId } from "react";
import type { ModelInfo, ModelList } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";

interface Props {
  models: ModelList | null;
  model: string | null;
  temperature: number | null;
  disabled: boolean;
  onModel: (id: string) => void;
  onTemperature: (value: number | null) => void;
}

/** The model dropdown (grouped by provider) and the temperature slider (C5). */
export function ModelControls({ models, model, temperature, disabled, onModel, onTemperature }: Props) {
  const { t, locale } = useI18n();
  const id = useId();
  const items = models?.items ?? [];
  const selected: ModelInfo | undefined = items.find((m) => m.id === model);
  const supportsTemperature = selected?.supports_temperature ?? false;
  const providers = new Map<string, ModelInfo[]>();
  for (const item of items) {
    const list = providers.get(item.provider_name) ?? [];
    list.push(item);
    providers.set(item.provider_name, list);
  }
  const shown = temperature ?? 1;
  const format = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (
    <div className="model-controls">
      <div className="control">
        <label htmlFor={id + "model"}>{t("chat.model")}</label>
        <select
          id={id + "model"}
          value={model ?? ""}
          disabled={disabled || items.length === 0}
          onChange={(e) => onModel(e.target.value)}
          data-testid="model-select"
        >
          {items.length === 0 && <option value="">{t("chat.noModels")}</option>}
          {[...providers.entries()].map(([provider, list]) => (
            <optgroup key={provider} label={provider}>
              {list.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.display_name}
                  {m.is_default ? " " + t("chat.modelDefault") : ""}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className="control temperature">
        <label htmlFor={id + "temp"}>
          {t("chat.temperature")}{" "}
          <output htmlFor={id + "temp"} className="temp-value">
            {supportsTemperature ? (temperature === null ? t("chat.temperatureDefault") : format.format(shown)) : "–"}
          </output>
        </label>
        <input
          id={id + "temp"}
          type="range"
          min={0}
          max={2}
          step={0.1}
          value={shown}
          disabled={disabled || !supportsTemperature}
          aria-describedby={supportsTemperature ? undefined : id + "temp-note"}
          aria-valuetext={supportsTemperature ? t("chat.temperatureValue", { value: format.format(shown) }) : t("chat.temperatureUnsupported")}
          onChange={(e) => onTemperature(Number(e.target.value))}
          data-testid="temperature"
        />
        {!supportsTemperature && selected && (
          <span id={id + "temp-note"} className="visually-hidden">
            {t("chat.temperatureUnsupported")}
          </span>
        )}
      </div>
    </div>
  );
}
