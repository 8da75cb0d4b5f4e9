import { useCallback, useEffect, useRef, useState } from "react";
import { deleteChat, listChats, listModels, logout, updateChat, usage as fetchUsage } from "../api/endpoints";
import { SessionExpiredError } from "../api/errors";
import type { ChatSummary, ModelList, UsageTotals, UserView } from "../api/types.gen";
import { useI18n } from "../i18n/I18n";
import { describeError } from "../lib/errors";
import { useRouteChatId } from "../lib/route";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { Icon } from "../components/ui/Icon";
import { ChatView } from "../features/chat/ChatView";
import { Sidebar } from "../features/sidebar/Sidebar";

/** The logged-in app: owns the conversation list, models and usage; the views get props. */
export function ChatLayout({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [chatId, navigate] = useRouteChatId();
  // A new key opens a fresh view; creating a chat from the view keeps it.
  const [viewKey, setViewKey] = useState(0);
  const [chats, setChats] = useState<ChatSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [chatsLoaded, setChatsLoaded] = useState(false);
  const [models, setModels] = useState<ModelList | null>(null);
  const [usage, setUsage] = useState<UsageTotals | null>(null);
  const [usageFailed, setUsageFailed] = useState(false);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [deleting, setDeleting] = useState<ChatSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeSidebar = useCallback(() => {
    setSidebarOpen(false);
    // Back to the button that opened the drawer (when it is shown: phone width).
    if (menuButton.current?.offsetParent) menuButton.current.focus();
  }, []);

  const report = useCallback(
    (err: unknown) => {
      if (!(err instanceof SessionExpiredError)) setError(describeError(err, t));
    },
    [t],
  );

  /** Reloads the first page (new order, titles); pages loaded beyond it are kept. */
  const refreshChats = useCallback(async () => {
    try {
      const page = await listChats();
      setChats((list) => {
        if (list.length <= page.items.length) {
          setNextCursor(page.next_cursor);
          return page.items;
        }
        const fresh = new Set(page.items.map((c) => c.id));
        return [...page.items, ...list.slice(page.items.length).filter((c) => !fresh.has(c.id))];
      });
    } catch (err) {
      report(err);
    }
  }, [report]);

  const refreshUsage = useCallback(async () => {
    try {
      setUsage(await fetchUsage("month"));
      setUsageFailed(false);
    } catch {
      setUsageFailed(true);
    }
  }, []);

  useEffect(() => {
    listChats().then(
      (page) => {
        setChats(page.items);
        setNextCursor(page.next_cursor);
        setChatsLoaded(true);
      },
      (err: unknown) => {
        setChatsLoaded(true);
        report(err);
      },
    );
    fetchUsage("month").then(setUsage, () => setUsageFailed(true));
    listModels().then(setModels, (err: unknown) => {
      setModels({ items: [], default_model: null });
      report(err);
    });
  }, [report]);

  const open = (id: string | null) => {
    navigate(id);
    setViewKey((k) => k + 1);
    setSidebarOpen(false);
  };

  const loadMore = async () => {
    if (nextCursor === null) return;
    try {
      const page = await listChats(nextCursor);
      setChats((list) => [...list, ...page.items.filter((c) => !list.some((x) => x.id === c.id))]);
      setNextCursor(page.next_cursor);
    } catch (err) {
      report(err);
    }
  };

  const rename = async (id: string, title: string) => {
    try {
      const updated = await updateChat(id, { title });
      setChats((list) => list.map((c) => (c.id === id ? updated : c)));
      if (id === chatId) setViewKey((k) => k + 1);
    } catch (err) {
      report(err);
    }
  };

  const confirmDelete = async () => {
    const chat = deleting;
    setDeleting(null);
    if (chat === null) return;
    try {
      await deleteChat(chat.id);
      setChats((list) => list.filter((c) => c.id !== chat.id));
      if (chat.id === chatId) open(null);
    } catch (err) {
      report(err);
    }
  };

  return (
    <div className="layout">
      <a href="#main-content" className="skip-link">
        {t("app.skipToContent")}
      </a>
      <Sidebar
        open={sidebarOpen}
        user={user}
        chats={chats}
        chatsLoaded={chatsLoaded}
        hasMore={nextCursor !== null}
        selectedId={chatId}
        usage={usage}
        usageFailed={usageFailed}
        onNewChat={() => open(null)}
        onSelect={(id) => open(id)}
        onRename={rename}
        onDelete={setDeleting}
        onLoadMore={() => void loadMore()}
        onClose={closeSidebar}
        onLogout={() => void logout()}
      />
      {sidebarOpen && <div className="scrim" aria-hidden="true" onClick={() => setSidebarOpen(false)} />}
      <main className="main">
        <div className="topbar">
          <button
            ref={menuButton}
            type="button"
            className="icon-button"
            aria-label={t("sidebar.open")}
            aria-controls="sidebar"
            aria-expanded={sidebarOpen}
            onClick={() => setSidebarOpen(true)}
          >
            <Icon name="menu" />
          </button>
          <span className="brand-name">{t("app.name")}</span>
          <button type="button" className="icon-button" aria-label={t("sidebar.newChat")} onClick={() => open(null)}>
            <Icon name="plus" />
          </button>
        </div>
        {error && (
          <div className="notice notice-error banner" role="alert">
            <span>{error}</span>
            <button type="button" className="icon-button" aria-label={t("common.close")} onClick={() => setError(null)}>
              <Icon name="close" />
            </button>
          </div>
        )}
        <ChatView
          key={viewKey}
          chatId={chatId}
          models={models}
          onCreated={(chat) => {
            setChats((list) => [chat, ...list.filter((c) => c.id !== chat.id)]);
            navigate(chat.id);
          }}
          onChanged={(id, patch) => setChats((list) => list.map((c) => (c.id === id ? { ...c, ...patch } : c)))}
          onAnswerFinished={() => {
            void refreshUsage();
            void refreshChats();
          }}
          onMissing={() => {
            setError(t("error.not_found"));
            open(null);
          }}
        />
      </main>
      {deleting && (
        <ConfirmDialog
          title={t("sidebar.deleteTitle")}
          body={t("sidebar.deleteBody", { title: deleting.title ?? t("sidebar.untitled") })}
          confirmLabel={t("sidebar.deleteConfirm")}
          cancelLabel={t("sidebar.cancel")}
          danger
          onConfirm={() => void confirmDelete()}
          onCancel={() => setDeleting(null)}
        />
      )}
    </div>
  );
}
