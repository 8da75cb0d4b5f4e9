import { useState, type KeyboardEvent } from "react";
import type { ChatSummary } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";
import { Icon } from "../../components/ui/Icon";
import { Popover } from "../../components/ui/Popover";
import { AssistantBadge } from "../assistants/AssistantIcon";

interface Props {
  chats: ChatSummary[];
  /** False until the first page arrived. */
  loaded: boolean;
  selectedId: string | null;
  hasMore: boolean;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (chat: ChatSummary) => void;
  onLoadMore: () => void;
}

type Group = "sidebar.today" | "sidebar.yesterday" | "sidebar.last7" | "sidebar.older";

function groupOf(updatedAt: string, now: Date): Group {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const time = new Date(updatedAt).getTime();
  if (time >= day) return "sidebar.today";
  if (time >= day - 86_400_000) return "sidebar.yesterday";
  if (time >= day - 7 * 86_400_000) return "sidebar.last7";
  return "sidebar.older";
}

/** The conversation list, grouped by last activity, with rename and delete per entry. */
export function ChatList({ chats, loaded, selectedId, hasMore, onSelect, onRename, onDelete, onLoadMore }: Props) {
  const { t } = useI18n();
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState("");

  if (!loaded && chats.length === 0) {
    return (
      <p className="sidebar-empty" aria-busy="true">
        {t("common.loading")}
      </p>
    );
  }
  if (chats.length === 0) return <p className="sidebar-empty">{t("sidebar.empty")}</p>;

  const now = new Date();
  const groups = new Map<Group, ChatSummary[]>();
  for (const chat of chats) {
    const group = groupOf(chat.updated_at, now);
    const list = groups.get(group) ?? [];
    list.push(chat);
    groups.set(group, list);
  }

  const finishEdit = async (chat: ChatSummary, save: boolean) => {
    const title = draft.trim();
    setEditing(null);
    if (save && title !== "" && title !== (chat.title ?? "")) await onRename(chat.id, title.slice(0, 200));
  };

  const editKeys = (chat: ChatSummary) => (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      void finishEdit(chat, true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      void finishEdit(chat, false);
    }
  };

  return (
    <nav aria-label={t("sidebar.conversations")} className="chat-list">
      {[...groups.entries()].map(([group, items]) => (
        <section key={group} aria-labelledby={"group-" + group}>
          <h2 id={"group-" + group} className="chat-group">
            {t(group as MessageKey)}
          </h2>
          <ul>
            {items.map((chat) => {
              const title = chat.title ?? t("sidebar.untitled");
              const selected = chat.id === selectedId;
              const assistant = chat.assistant;
              return (
                <li key={chat.id} className={selected ? "chat-item selected" : "chat-item"}>
                  {editing === chat.id ? (
                    <form
                      className="rename-form"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void finishEdit(chat, true);
                      }}
                    >
                      <label className="visually-hidden" htmlFor={"rename-" + chat.id}>
                        {t("sidebar.renameLabel")}
                      </label>
                      <input
                        id={"rename-" + chat.id}
                        autoFocus
                        value={draft}
                        maxLength={200}
                        onChange={(e) => setDraft(e.target.value)}
                        onKeyDown={editKeys(chat)}
                        onBlur={() => void finishEdit(chat, true)}
                      />
                    </form>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="chat-link"
                        aria-current={selected ? "page" : undefined}
                        onClick={() => onSelect(chat.id)}
                        title={assistant ? title + " · " + assistant.name : title}
                      >
                        {assistant && <AssistantBadge icon={assistant.icon} size={13} />}
                        <span className="chat-title">{title}</span>
                        {assistant && <span className="visually-hidden"> · {t("assistants.chip", { name: assistant.name })}</span>}
                      </button>
                      <div className="chat-menu">
                        <button
                          type="button"
                          className="icon-button chat-more"
                          aria-label={t("sidebar.chatActions", { title })}
                          aria-haspopup="menu"
                          aria-expanded={menuFor === chat.id}
                          onClick={() => setMenuFor(menuFor === chat.id ? null : chat.id)}
                        >
                          <Icon name="more" />
                        </button>
                        {menuFor === chat.id && (
                          <Popover label={t("sidebar.chatActions", { title })} onClose={() => setMenuFor(null)}>
                            <button
                              type="button"
                              role="menuitem"
                              className="menu-item"
                              onClick={() => {
                                setMenuFor(null);
                                setDraft(chat.title ?? "");
                                setEditing(chat.id);
                              }}
                            >
                              <Icon name="edit" /> {t("sidebar.rename")}
                            </button>
                            <button
                              type="button"
                              role="menuitem"
                              className="menu-item danger"
                              onClick={() => {
                                setMenuFor(null);
                                onDelete(chat);
                              }}
                            >
                              <Icon name="trash" /> {t("sidebar.delete")}
                            </button>
                          </Popover>
                        )}
                      </div>
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      {hasMore && (
        <button type="button" className="btn btn-ghost btn-block" onClick={onLoadMore}>
          {t("sidebar.loadMore")}
        </button>
      )}
    </nav>
  );
}
