// Shared setup of the browser tests: Debian's chromium through playwright-core, against the hub
// at HUB_URL (started by tests/tests/browser.rs), screenshots under SCREENSHOT_DIR.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));

export const HUB_URL = process.env.HUB_URL ?? "http://127.0.0.1:3000/";
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? path.resolve(here, "../../tests/output/screenshots");
export const PASSWORD = "correct-horse-battery";
/** Generous: the machine running the tests may be busy (two cores, cargo builds). */
export const TIMEOUT = 30_000;

mkdirSync(SCREENSHOT_DIR, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A fresh browser context (its own storage) and page. `problems` collects what must never
 * happen: page errors, console errors, and dialogs (an `alert` from injected script).
 */
export async function openPage(browser, { locale = "en-US", viewport = { width: 1280, height: 800 }, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ baseURL: HUB_URL, locale, viewport, colorScheme });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(HUB_URL).origin });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const problems = [];
  page.on("pageerror", (err) => problems.push("page error: " + err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/the server responded with a status of 4\d\d/.test(msg.text())) {
      problems.push("console error: " + msg.text());
    }
  });
  page.on("dialog", (dialog) => {
    problems.push("dialog: " + dialog.type() + " " + dialog.message());
    void dialog.dismiss();
  });
  return { context, page, problems };
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name + ".png"), fullPage: false });
}

export function uniqueEmail(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Registers through the registration screen; ends on the empty chat. */
export async function registerThroughUi(page, { email, name, labels }) {
  await page.goto("/");
  await page.getByRole("button", { name: labels.toRegister }).click();
  await page.getByLabel(labels.email).fill(email);
  await page.getByLabel(labels.displayName).fill(name);
  await page.getByLabel(labels.password, { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: labels.submitRegister }).click();
  await page.getByRole("heading", { name: labels.emptyTitle }).waitFor();
}

export const EN = {
  login: "Log in",
  toRegister: "Create one",
  email: "Email",
  displayName: "Display name",
  password: "Password",
  submitRegister: "Create account",
  emptyTitle: "How can I help you today?",
  message: "Your message",
  untitled: "New conversation",
};

export const DE = {
  login: "Anmelden",
  toRegister: "Konto erstellen",
  email: "E-Mail",
  displayName: "Anzeigename",
  password: "Passwort",
  submitRegister: "Konto erstellen",
  emptyTitle: "Wie kann ich Ihnen heute helfen?",
  message: "Ihre Nachricht",
  untitled: "Neue Unterhaltung",
};

/** The first admin the browser tests' hub creates (`bootstrap_admin_*`, tests/tests/browser.rs). */
export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = PASSWORD;

/** Logs in through the login screen; the caller waits for what should come next. */
export async function loginThroughUi(page, { email, password, labels }) {
  await page.goto("/");
  await page.getByRole("heading", { name: labels.login }).waitFor();
  await page.getByLabel(labels.email).fill(email);
  await page.getByLabel(labels.password, { exact: true }).fill(password);
  await page.getByRole("button", { name: labels.login }).click();
}
