import { lazy, Suspense, useEffect, useState } from "react";
import { onPasswordChangeRequired } from "../api/client";
import { getSession, onSessionChange, type Session } from "../api/session";
import { useI18n } from "../i18n/I18n";
import { AuthScreen, type AuthMode } from "../features/auth/AuthScreen";
import { PasswordChangeScreen } from "../features/auth/PasswordChangeScreen";
import { adminTabFromPath, navigateTo, usePath } from "../lib/route";
import { ChatLayout } from "./ChatLayout";

// The console (and its chart library) loads only when an admin opens it.
const AdminConsole = lazy(() => import("../features/admin/AdminConsole").then((m) => ({ default: m.AdminConsole })));

/**
 * The root: the login/registration screens without a session; with one, the password change
 * the API may demand first, then the admin console (`/admin/...`, admins only) or the chat app.
 */
export function App() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(getSession);
  const [mode, setMode] = useState<AuthMode>("login");
  const [expired, setExpired] = useState(false);
  const [mustChangePassword, setMustChangePassword] = useState(false);
  const path = usePath();

  useEffect(
    () =>
      onSessionChange((next, change) => {
        setSession(next);
        // Logged out without asking for it: the session ended (expired or revoked).
        setExpired(change === "expired");
        if (change !== "login") {
          setMode("login");
          setMustChangePassword(false);
        }
      }),
    [],
  );
  useEffect(() => onPasswordChangeRequired(() => setMustChangePassword(true)), []);

  const adminTab = adminTabFromPath(path);
  const isAdmin = session?.user.is_admin === true;
  useEffect(() => {
    // Not an admin (or no such tab): the console's addresses lead to the chat.
    if (session !== null && path.startsWith("/admin") && (adminTab === null || !isAdmin)) navigateTo("/", true);
  }, [session, path, adminTab, isAdmin]);

  if (session === null) {
    return <AuthScreen mode={mode} onModeChange={setMode} notice={expired ? t("auth.sessionEnded") : null} />;
  }
  if (mustChangePassword || session.user.must_change_password) {
    return <PasswordChangeScreen user={session.user} onDone={() => setMustChangePassword(false)} />;
  }
  if (adminTab !== null && isAdmin) {
    return (
      <Suspense fallback={<p className="muted center">{t("admin.loading")}</p>}>
        <AdminConsole key={session.user.id} user={session.user} tab={adminTab} />
      </Suspense>
    );
  }
  return <ChatLayout key={session.user.id} user={session.user} />;
}
