import { Icon, type IconName } from "../../components/ui/Icon";
import type { AssistantIcon } from "../../api/types.gen";

/** The icon set of assistants (hub-api's `AssistantIcon`), in the order the picker shows it. */
export const ASSISTANT_ICONS: Record<AssistantIcon, IconName> = {
  sparkles: "sparkles",
  bot: "bot",
  brain: "brain",
  code: "code",
  terminal: "terminal",
  pen: "pen",
  book: "book",
  chart: "chart",
  globe: "globe",
  briefcase: "briefcase",
  scale: "scale",
  shield: "shield",
  lightbulb: "lightbulb",
  chat: "chat",
  mail: "mail",
  calculator: "calculator",
  search: "search",
  graduation_cap: "graduation_cap",
  heart: "heart",
  wrench: "wrench",
  megaphone: "megaphone",
  palette: "palette",
  flask: "flask",
  users: "users",
};

/** An assistant's icon in a small tinted square (decorative: the name is next to it). */
export function AssistantBadge({ icon, size = 16 }: { icon: AssistantIcon; size?: number }) {
  return (
    <span className="assistant-icon" aria-hidden="true">
      <Icon name={ASSISTANT_ICONS[icon]} size={size} />
    </span>
  );
}
