import { useEffect, useRef, type KeyboardEvent } from "react";
import { logout } from "../../api/endpoints";
import type { UserView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";
import { ADMIN_TABS, navigateTo, pathForAdmin, type AdminTab } from "../../lib/route";
import { Icon } from "../../components/ui/Icon";
import { UserMenu } from "../sidebar/UserMenu";
import { AuditTab } from "./AuditTab";
import { CostsTab } from "./CostsTab";
import { EmbeddingModelsSection } from "./EmbeddingModelsSection";
import { ModelsTab } from "./ModelsTab";
import { ProvidersTab } from "./ProvidersTab";
import { StatsTab } from "./StatsTab";
import { UsersTab } from "./UsersTab";
import "./admin.css";
import { Brand } from "../../components/ui/Brand";

const TAB_LABELS: Record<AdminTab, MessageKey> = {
  users: "admin.tab.users",
  costs: "admin.tab.costs",
  stats: "admin.tab.stats",
  models: "admin.tab.models",
  audit: "admin.tab.audit",
  providers: "admin.tab.providers",
};

/**
 * The admin console (admins only; its API answers 403 to anyone else): one tab per area, each
 * with its own address `/admin/<tab>`.
 */
export function AdminConsole({ user, tab }: { user: UserView; tab: AdminTab }) {
  const { t } = useI18n();
  const tabRefs = useRef<Partial<Record<AdminTab, HTMLButtonElement | null>>>({});
  const title = t(TAB_LABELS[tab]) + " · " + t("admin.title");
  useEffect(() => {
    document.title = title + " · " + t("app.name");
  }, [title, t]);

  const select = (next: AdminTab, focus = false) => {
    navigateTo(pathForAdmin(next));
    if (focus) tabRefs.current[next]?.focus();
  };
  // Arrow keys, Home and End move between the tabs (the WAI-ARIA tabs pattern).
  const onTabKey = (event: KeyboardEvent) => {
    const index = ADMIN_TABS.indexOf(tab);
    const last = ADMIN_TABS.length - 1;
    const target =
      event.key === "ArrowRight" ? (index + 1) % ADMIN_TABS.length
      : event.key === "ArrowLeft" ? (index - 1 + ADMIN_TABS.length) % ADMIN_TABS.length
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : null;
    if (target === null) return;
    event.preventDefault();
    const next = ADMIN_TABS[target];
    if (next !== undefined) select(next, true);
  };

  return (
    <div className="admin-page">
      <a href="#admin-panel" className="skip-link">
        {t("admin.skipToContent")}
      </a>
      <header className="admin-header">
        <Brand />
        <h1 className="admin-title">{t("admin.title")}</h1>
        <div className="admin-header-actions">
          <a
            href="/"
            className="btn btn-secondary btn-small"
            onClick={(event) => {
              event.preventDefault();
              navigateTo("/");
            }}
          >
            <Icon name="chat" /> <span className="admin-back-text">{t("admin.backToChat")}</span>
          </a>
          <div className="admin-account">
            <UserMenu user={user} onLogout={() => void logout()} />
          </div>
        </div>
      </header>
      <nav className="admin-tabs-bar" aria-label={t("admin.title")}>
        <div role="tablist" aria-label={t("admin.title")} className="admin-tabs" onKeyDown={onTabKey}>
          {ADMIN_TABS.map((name) => (
            <button
              key={name}
              ref={(el) => {
                tabRefs.current[name] = el;
              }}
              type="button"
              role="tab"
              id={"admin-tab-" + name}
              aria-selected={name === tab}
              aria-controls="admin-panel"
              tabIndex={name === tab ? 0 : -1}
              className={name === tab ? "admin-tab active" : "admin-tab"}
              onClick={() => select(name)}
            >
              {t(TAB_LABELS[name])}
            </button>
          ))}
        </div>
      </nav>
      <main id="admin-panel" className="admin-panel" tabIndex={-1}>
        <div role="tabpanel" aria-labelledby={"admin-tab-" + tab} data-testid={"admin-panel-" + tab}>
          {tab === "users" && <UsersTab me={user} />}
          {tab === "costs" && <CostsTab />}
          {tab === "stats" && <StatsTab />}
          {tab === "models" && (
            <>
              <ModelsTab />
              <EmbeddingModelsSection />
            </>
          )}
          {tab === "audit" && <AuditTab />}
          {tab === "providers" && <ProvidersTab />}
        </div>
      </main>
    </div>
  );
}
