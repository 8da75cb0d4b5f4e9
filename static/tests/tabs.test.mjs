// Two tabs share one session: when the access token has expired, they refresh it once between
// them (refresh tokens rotate, and presenting a spent one would end the session).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EN, launch, openPage, registerThroughUi, screenshot, uniqueEmail } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("two tabs with an expired access token refresh it once and stay logged in", async () => {
  const { context, page, problems } = await openPage(browser);
  await registerThroughUi(page, { email: uniqueEmail("tabs"), name: "Two Tabs", labels: EN });
  const second = await context.newPage();
  await second.goto("/");
  await second.getByRole("heading", { name: EN.emptyTitle }).waitFor();

  // Slow refreshes, so that both tabs need one while the other's is under way.
  const refreshes = [];
  await context.route("**/api/auth/refresh", async (route) => {
    refreshes.push(route.request().url());
    await new Promise((resolve) => setTimeout(resolve, 700));
    await route.continue();
  });
  const before = await page.evaluate(() => JSON.parse(localStorage.getItem("hub.session")).refreshToken);
  // Chromium keeps a copy of localStorage in each renderer process and updates it
  // asynchronously: a tab can get the refresh lock before it sees the other tab's new tokens.
  // Here each tab sees the session the other tab writes only once the test lets it (its own
  // writes at once), so that whichever tab waits for the lock finds the spent token there.
  await context.addInitScript(() => {
    const key = "hub.session";
    const seen = localStorage.getItem(key);
    let wroteItself = false;
    window.__staleStorage = true;
    const { getItem, setItem, removeItem } = Storage.prototype;
    Storage.prototype.getItem = function (name) {
      if (this === localStorage && name === key && window.__staleStorage && !wroteItself) return seen;
      return getItem.call(this, name);
    };
    Storage.prototype.setItem = function (name, value) {
      if (this === localStorage && name === key) wroteItself = true;
      return setItem.call(this, name, value);
    };
    Storage.prototype.removeItem = function (name) {
      if (this === localStorage && name === key) wroteItself = true;
      return removeItem.call(this, name);
    };
  });
  // The stored access token expires (as after 30 minutes); both tabs load at once, each
  // sending several requests.
  await page.evaluate(() => {
    const session = JSON.parse(localStorage.getItem("hub.session"));
    session.accessExpiresAt = Date.now() - 1000;
    localStorage.setItem("hub.session", JSON.stringify(session));
  });
  await Promise.all([page.reload(), second.reload()]);
  for (const tab of [page, second]) {
    await tab.getByRole("heading", { name: EN.emptyTitle }).waitFor();
    await tab.getByTestId("usage-requests").getByText("0").waitFor();
  }
  await page.waitForTimeout(500);
  assert.equal(refreshes.length, 1, "one refresh for both tabs: " + refreshes.length);
  for (const tab of [page, second]) await tab.evaluate(() => (window.__staleStorage = false));
  const after = await second.evaluate(() => JSON.parse(localStorage.getItem("hub.session")));
  assert.notEqual(after.refreshToken, before, "the refresh token rotated");
  assert.ok(after.accessExpiresAt > Date.now() + 60_000, "a fresh access token");
  await screenshot(second, "en-19-second-tab");

  // Logging out in one tab logs out the other.
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await second.getByRole("heading", { name: EN.login }).waitFor();
  assert.equal(await second.getByText("Your session has ended.", { exact: false }).count(), 0);

  assert.deepEqual(problems, []);
});
