import { useEffect, useState } from "react";
import { getSession, onSessionChange, type Session } from "../api/session";
import { useI18n } from "../i18n/I18n";
import { AuthScreen, type AuthMode } from "../features/auth/AuthScreen";
import { ChatLayout } from "./ChatLayout";

/** The root: the login/registration screens without a session, the chat app with one. */
export function App() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(getSession);
  const [mode, setMode] = useState<AuthMode>("login");
  const [expired, setExpired] = useState(false);

  useEffect(
    () =>
      onSessionChange((next, change) => {
        setSession(next);
        // Logged out without asking for it: the session ended (expired or revoked).
        setExpired(change === "expired");
        if (change !== "login") setMode("login");
      }),
    [],
  );

  if (session === null) {
    return <AuthScreen mode={mode} onModeChange={setMode} notice={expired ? t("auth.sessionEnded") : null} />;
  }
  return <ChatLayout key={session.user.id} user={session.user} />;
}
