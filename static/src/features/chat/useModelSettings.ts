import { useState } from "react";
import { updateChat } from "../../api/endpoints";
import type { ChatDetail, ChatSummary, ModelList, SendMessage } from "../../api/types.gen";
import type { AssistantView } from "../../api/types.gen";

export interface ModelSettings {
  model: string | null;
  temperature: number | null;
  /** What a request sends: the model, and the temperature when the model takes one. */
  request: () => Pick<SendMessage, "model" | "temperature">;
  /** Chooses the model (kept for the conversation on the server). */
  changeModel: (id: string) => void;
  changeTemperature: (value: number | null) => void;
}

/**
 * The model and temperature of the next answer: the user's choice in this view, else the
 * conversation's, else the assistant's, else the default model. With an assistant, only what
 * the user chose is sent: the hub applies the assistant's model and temperature otherwise (as
 * they are at each answer).
 */
export function useModelSettings(
  models: ModelList | null,
  chat: ChatDetail | null,
  onChanged: (id: string, patch: Partial<ChatSummary>) => void,
  assistant: AssistantView | null = null,
): ModelSettings {
  const [modelChoice, setModelChoice] = useState<string | null>(null);
  const [temperatureChoice, setTemperatureChoice] = useState<number | null>(null);
  const enabled = (id: string | null | undefined) => (id && models?.items.some((m) => m.id === id) ? id : null);
  const model = modelChoice ?? chat?.model ?? enabled(assistant?.model) ?? models?.default_model ?? models?.items[0]?.id ?? null;
  const temperature = temperatureChoice ?? chat?.temperature ?? assistant?.temperature ?? null;
  const selected = models?.items.find((m) => m.id === model);
  const withAssistant = assistant !== null || (chat !== null && chat.assistant !== null);

  return {
    model,
    temperature,
    request: () => ({
      ...(model === null || (withAssistant && modelChoice === null) ? {} : { model }),
      ...(temperature !== null && selected?.supports_temperature && (!withAssistant || temperatureChoice !== null) ? { temperature } : {}),
    }),
    changeModel: (id) => {
      setModelChoice(id);
      if (chat) void updateChat(chat.id, { model: id }).then((summary) => onChanged(summary.id, summary), () => undefined);
    },
    changeTemperature: setTemperatureChoice,
  };
}
