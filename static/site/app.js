// AI Hub placeholder page: shows GET /api/health, in German or English.
// Loaded as an external module (the CSP forbids inline scripts); all text is
// set with textContent, never as HTML.

const TEXT = {
  en: {
    tagline: "Chat with many language models, shared assistants and knowledge.",
    heading: "System status",
    checking: "Checking…",
    ok: "All systems operational",
    unavailable: "Service unavailable",
    unreachable: "The server cannot be reached",
    unexpected: (status) => `Unexpected answer from the server (HTTP ${status})`,
    database: "Database",
    migration: "Migration version",
    pgvector: "pgvector version",
    version: "App version",
    reachable: "reachable",
    notReachable: "not reachable",
    unknown: "unknown",
    reason: "Reason",
    refresh: "Check again",
    checkedAt: (time) => `Last checked at ${time}`,
  },
  de: {
    tagline: "Chatten mit vielen Sprachmodellen, gemeinsamen Assistenten und Wissen.",
    heading: "Systemstatus",
    checking: "Wird geprüft…",
    ok: "Alle Systeme betriebsbereit",
    unavailable: "Dienst nicht verfügbar",
    unreachable: "Der Server ist nicht erreichbar",
    unexpected: (status) => `Unerwartete Antwort des Servers (HTTP ${status})`,
    database: "Datenbank",
    migration: "Migrationsversion",
    pgvector: "pgvector-Version",
    version: "App-Version",
    reachable: "erreichbar",
    notReachable: "nicht erreichbar",
    unknown: "unbekannt",
    reason: "Grund",
    refresh: "Erneut prüfen",
    checkedAt: (time) => `Zuletzt geprüft um ${time}`,
  },
};

const TIMEOUT_MS = 10_000;

function pickLanguage() {
  const preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  return preferred.toLowerCase().startsWith("de") ? "de" : "en";
}

const lang = pickLanguage();
const t = TEXT[lang];

const $ = (id) => document.getElementById(id);

function translatePage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const value = t[el.dataset.i18n];
    if (typeof value === "string") el.textContent = value;
  }
}

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status-text").textContent = text;
}

function setFacts(facts) {
  for (const [id, value] of Object.entries(facts)) $(id).textContent = value;
}

function setReason(text) {
  const el = $("reason");
  el.hidden = !text;
  el.textContent = text ? `${t.reason}: ${text}` : "";
}

function orUnknown(value) {
  return typeof value === "string" && value !== "" ? value : t.unknown;
}

function renderHealth(health) {
  const db = health.database || {};
  setStatus(health.status === "ok" ? "ok" : "unavailable", health.status === "ok" ? t.ok : t.unavailable);
  setFacts({
    database: db.reachable === true ? t.reachable : t.notReachable,
    migration: orUnknown(db.migration_version),
    pgvector: orUnknown(db.pgvector_version),
    version: orUnknown(health.version),
  });
  setReason(typeof health.reason === "string" ? health.reason : "");
}

function renderFailure(text, reason) {
  setStatus("error", text);
  setFacts({ database: "–", migration: "–", pgvector: "–", version: "–" });
  setReason(reason || "");
}

async function checkHealth() {
  const section = $("health");
  const button = $("refresh");
  section.setAttribute("aria-busy", "true");
  button.disabled = true;
  setStatus("pending", t.checking);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch("/api/health", {
      headers: { Accept: "application/json" },
      cache: "no-store",
      signal: controller.signal,
    });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (body && typeof body.status === "string") {
      renderHealth(body);
    } else {
      const message = body && body.error && typeof body.error.message === "string" ? body.error.message : "";
      renderFailure(t.unexpected(response.status), message);
    }
  } catch {
    renderFailure(t.unreachable, "");
  } finally {
    clearTimeout(timer);
    const time = new Intl.DateTimeFormat(lang, { timeStyle: "medium" }).format(new Date());
    $("checked-at").textContent = t.checkedAt(time);
    section.setAttribute("aria-busy", "false");
    button.disabled = false;
  }
}

translatePage();
$("refresh").addEventListener("click", checkHealth);
checkHealth();
