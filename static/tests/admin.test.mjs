// The admin console: each tab in English and German (light, dark, phone width), managing users
// and models, the effects on a user's very next request, the audit log, the forced password
// change, and that non-admins never see the console.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  DE,
  EN,
  PASSWORD,
  launch,
  loginThroughUi,
  openPage,
  registerThroughUi,
  screenshot,
  uniqueEmail,
} from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const TABS_EN = ["Users", "Costs", "Statistics", "Models", "Audit log", "Providers"];
const TABS_DE = ["Benutzer", "Kosten", "Statistik", "Modelle", "Protokoll", "Anbieter"];
const SLUGS = ["users", "costs", "stats", "models", "audit", "providers"];

async function loginAsAdmin(page, labels) {
  await loginThroughUi(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, labels });
  await page.getByRole("heading", { name: labels.emptyTitle }).waitFor();
}

async function openTab(page, name, slug) {
  await page.getByRole("tab", { name, exact: true }).click();
  await page.waitForURL("**/admin/" + slug);
  await page.getByTestId("admin-panel-" + slug).waitFor();
  // The tab's data (or its empty state) is there, no loading line left.
  await page.waitForFunction(() => !/Loading…|Wird geladen/.test(document.querySelector("[role=tabpanel]")?.textContent ?? "x"));
}

async function modelOptions(page) {
  // The list has arrived (before it, the dropdown holds one empty placeholder option).
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=model-select] option")].some((o) => o.value !== ""));
  return page.getByTestId("model-select").evaluate((el) => [...el.querySelectorAll("option")].map((o) => o.value));
}

test("an admin manages users and models; a user feels it on the next request; the audit shows it", async () => {
  const admin = await openPage(browser);
  const member = await openPage(browser);
  const email = uniqueEmail("managed");
  const given = "given-password-1";

  // The admin reaches the console from the sidebar and creates an admin account.
  await loginAsAdmin(admin.page, EN);
  await admin.page.getByRole("link", { name: "Admin console" }).click();
  await admin.page.waitForURL("**/admin");
  await admin.page.getByRole("tab", { name: "Users", selected: true }).waitFor();
  await admin.page.getByRole("button", { name: "New user" }).click();
  const dialog = admin.page.getByTestId("create-user-dialog");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Display name").fill("Managed Person");
  await dialog.getByLabel("Password").fill(given);
  await dialog.getByLabel("Administrator").check();
  await screenshot(admin.page, "en-admin-create-user");
  await dialog.getByRole("button", { name: "Create" }).click();
  const row = admin.page.locator(`[data-testid=user-row][data-email="${email}"]`);
  await row.getByText("Must change the password").waitFor();

  // The new account must change the admin's password before anything else.
  await loginThroughUi(member.page, { email, password: given, labels: EN });
  await member.page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await screenshot(member.page, "en-password-change");
  await member.page.getByLabel("Current password").fill(given);
  await member.page.getByLabel("New password", { exact: true }).fill("short");
  await member.page.getByRole("button", { name: "Change password" }).click();
  await member.page.getByText("The password needs at least 8 characters.").waitFor();
  await member.page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await member.page.getByLabel("Repeat the new password").fill(PASSWORD);
  await member.page.getByRole("button", { name: "Change password" }).click();
  await member.page.getByRole("heading", { name: EN.emptyTitle }).waitFor();

  // Some usage for the cost charts: one answered message.
  await member.page.getByLabel(EN.message).fill("What is the capital of France?");
  await member.page.keyboard.press("Enter");
  await member.page.getByTestId("message-assistant").last().getByText("Paris").waitFor();

  // As an admin, the member opens the console too.
  await member.page.getByRole("link", { name: "Admin console" }).click();
  await member.page.getByTestId("users-table").waitFor();

  // The admin demotes them (after a confirmation)...
  await admin.page.getByRole("searchbox", { name: "Search by email or name" }).fill(email);
  await admin.page.waitForFunction(() => document.querySelectorAll("[data-testid=user-row]").length === 1);
  await row.getByRole("button", { name: "Actions for " + email }).click();
  await admin.page.getByRole("menuitem", { name: "Remove administrator rights" }).click();
  await admin.page.getByRole("heading", { name: "Remove administrator rights?" }).waitFor();
  await screenshot(admin.page, "en-admin-confirm-demote");
  await admin.page.getByRole("button", { name: "Remove rights" }).click();
  await row.getByText("Member", { exact: true }).waitFor();
  // ...and the member's very next admin request is refused.
  await member.page.getByRole("tab", { name: "Costs" }).click();
  await member.page.getByTestId("admin-forbidden").waitFor();
  assert.match(await member.page.getByTestId("admin-forbidden").innerText(), /no administrator rights/);

  // A disabled model disappears from the member's dropdown.
  await member.page.goto("/");
  const before = await modelOptions(member.page);
  // Back in the chat, the console's entry is gone with the rights.
  await member.page.waitForFunction(() => ![...document.querySelectorAll("a")].some((a) => a.textContent.includes("Admin console")));
  await openTab(admin.page, "Models", "models");
  const candidate = await admin.page.locator("[data-testid=model-row]").evaluateAll((rows) =>
    rows.filter((r) => r.dataset.enabled === "true" && r.dataset.default === "false").map((r) => r.dataset.model),
  );
  const victim = candidate.find((id) => before.includes(id));
  assert.ok(victim, "an enabled, non-default model the member can choose: " + JSON.stringify({ before, candidate }));
  const modelRow = admin.page.locator(`[data-testid=model-row][data-model="${victim}"]`);
  await modelRow.getByRole("button", { name: "Disable" }).click();
  await admin.page.getByRole("heading", { name: "Disable this model?" }).waitFor();
  await admin.page.getByRole("dialog").getByRole("button", { name: "Disable" }).click();
  await modelRow.getByText("Disabled").waitFor();
  await member.page.reload();
  const afterwards = await modelOptions(member.page);
  assert.ok(!afterwards.includes(victim), victim + " is gone: " + JSON.stringify(afterwards));
  assert.equal(afterwards.length, before.length - 1);

  // The audit log shows both actions, newest first, and filters by action.
  await openTab(admin.page, "Audit log", "audit");
  await admin.page.locator("[data-testid=audit-row][data-action='admin.model_updated']").first().waitFor();
  await admin.page.locator("[data-testid=audit-row][data-action='admin.user_updated']").first().waitFor();
  await admin.page.getByLabel("Action").fill("admin.user_updated");
  await admin.page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("[data-testid=audit-row]")];
    return rows.length > 0 && rows.every((r) => r.dataset.action === "admin.user_updated");
  });
  const entry = admin.page.locator("[data-testid=audit-row]").first();
  assert.match(await entry.innerText(), new RegExp(email.replace(/[.]/g, "\\.")));
  await screenshot(admin.page, "en-admin-audit-filtered");

  for (const { problems } of [admin, member]) assert.deepEqual(problems, []);
  await admin.context.close();
  await member.context.close();
});

test("each tab in English and German, dark and at phone width", async () => {
  for (const [labels, tabs, prefix, locale] of [
    [EN, TABS_EN, "en", "en-US"],
    [DE, TABS_DE, "de", "de-DE"],
  ]) {
    const { page, problems, context } = await openPage(browser, { locale });
    await loginAsAdmin(page, labels);
    await page.goto("/admin/users");
    await page.getByTestId("users-table").waitFor();
    for (const [i, name] of tabs.entries()) {
      await openTab(page, name, SLUGS[i]);
      assert.equal(await page.getByTestId("admin-error").count(), 0, "the " + SLUGS[i] + " tab loads without an error");
      await screenshot(page, `${prefix}-admin-${i + 1}-${SLUGS[i]}`);
    }
    // Each tab has its own address: a reload stays on it.
    await page.reload();
    await page.getByRole("tab", { name: tabs[5], selected: true }).waitFor();
    // Arrow keys move between the tabs.
    await page.getByRole("tab", { name: tabs[5] }).focus();
    await page.keyboard.press("Home");
    await page.waitForURL("**/admin/users");
    await page.keyboard.press("ArrowRight");
    await page.waitForURL("**/admin/costs");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-selected")), "true");
    if (prefix === "en") {
      // The CSV buttons download the API's files (fetched with the token, saved from a blob).
      const csv = async (testId) => {
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
        return { name: download.suggestedFilename(), text: await readFile(await download.path(), "utf8") };
      };
      const costs = await csv("costs-csv");
      assert.equal(costs.name, "costs-month.csv");
      assert.match(costs.text, /^group,key,label,/);
      assert.match(costs.text, /gpt-4o-mini/);
      await openTab(page, tabs[4], "audit");
      const audit = await csv("audit-csv");
      assert.equal(audit.name, "audit.csv");
      assert.match(audit.text, /auth\.login/);
    }
    assert.deepEqual(problems, []);
    await context.close();
  }

  // Dark, at phone width: the statistics and costs still fit.
  const phone = await openPage(browser, { viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await loginAsAdmin(phone.page, EN);
  await phone.page.goto("/admin/stats");
  await phone.page.getByTestId("stats-figures").waitFor();
  await screenshot(phone.page, "en-admin-phone-dark-stats");
  await openTab(phone.page, "Costs", "costs");
  await screenshot(phone.page, "en-admin-phone-dark-costs");
  await openTab(phone.page, "Users", "users");
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "no sideways scrolling of the page: " + overflow);
  await screenshot(phone.page, "en-admin-phone-dark-users");
  assert.deepEqual(phone.problems, []);
  await phone.context.close();
});

test("a user never sees the console, and its addresses lead to the chat", async () => {
  const { page, problems, context } = await openPage(browser);
  await registerThroughUi(page, { email: uniqueEmail("plain"), name: "Plain User", labels: EN });
  assert.equal(await page.getByRole("link", { name: "Admin console" }).count(), 0);
  await page.goto("/admin/users");
  await page.getByRole("heading", { name: EN.emptyTitle }).waitFor();
  await page.waitForURL((url) => url.pathname === "/");
  // The API refuses them as well.
  const status = await page.evaluate(async () => {
    const session = JSON.parse(localStorage.getItem("hub.session") ?? "{}");
    const response = await fetch("/api/admin/users", { headers: { authorization: "Bearer " + session.accessToken } });
    return response.status;
  });
  assert.equal(status, 403);
  assert.deepEqual(problems, []);
  await context.close();
});
