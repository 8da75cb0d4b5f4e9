import { useEffect, useRef } from "react";
import type { ChatSummary, UsageTotals, UserView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { navigateTo } from "../../lib/route";
import { ChatList } from "./ChatList";
import { UsageWidget } from "./UsageWidget";
import { UserMenu } from "./UserMenu";
import { Brand } from "../../components/ui/Brand";
import { AssistantSection } from "../assistants/AssistantSection";
import type { AssistantView } from "../../api/types.gen";

interface Props {
  open: boolean;
  user: UserView;
  chats: ChatSummary[];
  chatsLoaded: boolean;
  hasMore: boolean;
  selectedId: string | null;
  usage: UsageTotals | null;
  usageFailed: boolean;
  onNewChat: () => void;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (chat: ChatSummary) => void;
  onLoadMore: () => void;
  assistants: AssistantView[] | null;
  /** The assistant of the conversation shown (or of the new one). */
  selectedAssistantId: string | null;
  onStartAssistant: (assistant: AssistantView) => void;
  onManageAssistants: () => void;
  /** The knowledge page is shown. */
  knowledgeOpen: boolean;
  onOpenKnowledge: () => void;
  onClose: () => void;
  onLogout: () => void;
}

/** Brand, "new chat", the assistants, the conversation list, the usage widget and the account menu. */
export function Sidebar(props: Props) {
  const { t } = useI18n();
  const closeRef = useRef<HTMLButtonElement>(null);
  const { open, onClose } = props;
  // On a phone the sidebar is a drawer: focus moves into it when it opens (once it is
  // visible), and Escape closes it.
  useEffect(() => {
    if (!open) return;
    const frame = requestAnimationFrame(() => closeRef.current?.focus());
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => {
      cancelAnimationFrame(frame);
      document.removeEventListener("keydown", onKey);
    };
  }, [open, onClose]);
  return (
    <aside
      className={props.open ? "sidebar open" : "sidebar"}
      id="sidebar"
      aria-label={t("sidebar.conversations")}
    >
      <div className="sidebar-head">
        <Brand />
        <button ref={closeRef} type="button" className="icon-button sidebar-close" aria-label={t("sidebar.close")} onClick={props.onClose}>
          <Icon name="close" />
        </button>
      </div>
      <button type="button" className="btn btn-primary btn-block new-chat" onClick={props.onNewChat}>
        <Icon name="plus" /> {t("sidebar.newChat")}
      </button>
      <a
        href="/knowledge"
        className={props.knowledgeOpen ? "btn btn-ghost btn-block knowledge-entry selected" : "btn btn-ghost btn-block knowledge-entry"}
        aria-current={props.knowledgeOpen ? "page" : undefined}
        onClick={(event) => {
          event.preventDefault();
          props.onOpenKnowledge();
        }}
        data-testid="knowledge-entry"
      >
        <Icon name="book" /> {t("knowledge.open")}
      </a>
      <div className="sidebar-scroll">
        <AssistantSection
          assistants={props.assistants}
          selectedId={props.selectedAssistantId}
          onStart={props.onStartAssistant}
          onManage={props.onManageAssistants}
        />
        <ChatList
          chats={props.chats}
          loaded={props.chatsLoaded}
          selectedId={props.selectedId}
          hasMore={props.hasMore}
          onSelect={props.onSelect}
          onRename={props.onRename}
          onDelete={props.onDelete}
          onLoadMore={props.onLoadMore}
        />
      </div>
      <div className="sidebar-foot">
        {props.user.is_admin && (
          <a
            href="/admin"
            className="btn btn-ghost btn-block admin-entry"
            onClick={(event) => {
              event.preventDefault();
              navigateTo("/admin");
            }}
          >
            <Icon name="shield" /> {t("admin.open")}
          </a>
        )}
        <UsageWidget usage={props.usage} failed={props.usageFailed} />
        <UserMenu user={props.user} onLogout={props.onLogout} />
      </div>
    </aside>
  );
}
