import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { listModels, logout, refreshMe, usage as fetchUsage } from "../api/endpoints";
import { SessionExpiredError } from "../api/errors";
import type { ChatSummary, ModelList, UsageTotals, UserView } from "../api/types.gen";
import { useI18n } from "../i18n/I18n";
import { describeError } from "../lib/errors";
import { isKnowledgePath, KNOWLEDGE_PATH, navigateTo, pathForAdmin, usePath, useRouteChatId } from "../lib/route";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { Icon } from "../components/ui/Icon";
import { ChatView } from "../features/chat/ChatView";
import { Sidebar } from "../features/sidebar/Sidebar";
import { useChatList } from "../features/sidebar/useChatList";
import type { AssistantView } from "../api/types.gen";
import { usePromptLibrary } from "../features/assistants/usePromptLibrary";
import { useCollections } from "../features/knowledge/useCollections";

// The managers of assistants and templates load when first opened.
const AssistantManager = lazy(() => import("../features/assistants/AssistantManager").then((m) => ({ default: m.AssistantManager })));
const KnowledgePage = lazy(() => import("../features/knowledge/KnowledgePage").then((m) => ({ default: m.KnowledgePage })));
const TemplateManager = lazy(() => import("../features/assistants/TemplateManager").then((m) => ({ default: m.TemplateManager })));

/** The logged-in app: owns the conversation list, models and usage; the views get props. */
export function ChatLayout({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [chatId, navigate] = useRouteChatId();
  const onKnowledge = isKnowledgePath(usePath());
  // A new key opens a fresh view; creating a chat from the view keeps it.
  const [viewKey, setViewKey] = useState(0);
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
  const chatList = useChatList(report);
  const library = usePromptLibrary(report);
  const collections = useCollections();
  // The assistant the next new conversation starts with.
  const [newAssistant, setNewAssistant] = useState<AssistantView | null>(null);
  const [managing, setManaging] = useState<"assistants" | "templates" | null>(null);

  const refreshUsage = useCallback(() => {
    fetchUsage("month").then(
      (totals) => {
        setUsage(totals);
        setUsageFailed(false);
      },
      () => setUsageFailed(true),
    );
  }, []);

  useEffect(() => {
    // Admin rights may have changed since the login: the console's entry follows them.
    refreshMe().catch(() => undefined);
    refreshUsage();
    listModels().then(setModels, (err: unknown) => {
      setModels({ items: [], default_model: null });
      report(err);
    });
  }, [report, refreshUsage]);

  const open = (id: string | null, assistant: AssistantView | null = null) => {
    navigate(id);
    setNewAssistant(assistant);
    setViewKey((k) => k + 1);
    setSidebarOpen(false);
  };
  const startWith = (assistant: AssistantView) => {
    setManaging(null);
    open(null, assistant);
  };
  const selectedChat = chatId === null ? null : chatList.chats.find((c) => c.id === chatId);
  const shownAssistantId = chatId === null ? (newAssistant?.id ?? null) : (selectedChat ? (selectedChat.assistant?.id ?? null) : null);

  const rename = async (id: string, title: string) => {
    if ((await chatList.rename(id, title)) && id === chatId) setViewKey((k) => k + 1);
  };

  const confirmDelete = async () => {
    const chat = deleting;
    setDeleting(null);
    if (chat === null) return;
    if ((await chatList.remove(chat.id)) && chat.id === chatId) open(null);
  };

  return (
    <div className="layout">
      <a href="#main-content" className="skip-link">
        {t("app.skipToContent")}
      </a>
      <Sidebar
        open={sidebarOpen}
        user={user}
        chats={chatList.chats}
        chatsLoaded={chatList.loaded}
        hasMore={chatList.hasMore}
        selectedId={chatId}
        usage={usage}
        usageFailed={usageFailed}
        onNewChat={() => open(null)}
        onSelect={(id) => open(id)}
        onRename={rename}
        onDelete={setDeleting}
        onLoadMore={chatList.loadMore}
        assistants={library.assistants}
        selectedAssistantId={shownAssistantId}
        onStartAssistant={startWith}
        onManageAssistants={() => setManaging("assistants")}
        knowledgeOpen={onKnowledge}
        onOpenKnowledge={() => {
          navigateTo(KNOWLEDGE_PATH);
          setSidebarOpen(false);
        }}
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
        {models !== null && models.items.length === 0 && (
          <div className="notice notice-info banner" role="status" data-testid="no-models">
            <span>{t(user.is_admin ? "chat.noModelsAdmin" : "chat.noModelsUser")}</span>
            {user.is_admin && (
              <>
                <button type="button" className="btn btn-secondary btn-small" onClick={() => navigateTo(pathForAdmin("providers"))}>
                  {t("admin.tab.providers")}
                </button>
                <button type="button" className="btn btn-secondary btn-small" onClick={() => navigateTo(pathForAdmin("models"))}>
                  {t("admin.tab.models")}
                </button>
              </>
            )}
          </div>
        )}
        {onKnowledge ? (
          <Suspense fallback={<p className="muted center">{t("common.loading")}</p>}>
            <KnowledgePage isAdmin={user.is_admin} collections={collections} />
          </Suspense>
        ) : (
        <ChatView
          key={viewKey}
          chatId={chatId}
          models={models}
          onCreated={(chat) => {
            chatList.added(chat);
            navigate(chat.id);
          }}
          onChanged={chatList.changed}
          onAnswerFinished={() => {
            refreshUsage();
            chatList.touched();
          }}
          onMissing={() => {
            setError(t("error.not_found"));
            open(null);
          }}
          newAssistant={newAssistant}
          assistants={library.assistants}
          templates={library.templates}
          onManageTemplates={() => setManaging("templates")}
          onError={report}
          collections={collections.items}
        />
        )}
      </main>
      <Suspense fallback={null}>
        {managing === "assistants" && (
        <AssistantManager
          assistants={library.assistants}
          models={models}
          isAdmin={user.is_admin}
          collections={collections.items}
          onChanged={library.reloadAssistants}
          onStart={startWith}
          onClose={() => setManaging(null)}
        />
      )}
      {managing === "templates" && (
        <TemplateManager templates={library.templates} isAdmin={user.is_admin} onChanged={library.reloadTemplates} onClose={() => setManaging(null)} />
        )}
      </Suspense>
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
