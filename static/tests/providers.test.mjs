// The Providers tab of the admin console: every provider's key source; set a wrong key (masked),
// the test fails with the provider's error; replace it with the right one, the test passes with
// its latency; delete it, the environment's key applies again; Azure's settings refuse an
// internal address and keep an API version. English and German, dark at phone width.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, DE, EN, launch, loginThroughUi, openPage, screenshot } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The key every fake provider accepts (tests/src/fake_providers.rs: FAKE_PROVIDER_KEY). */
const FAKE_KEY = "fake-provider-key";
const WRONG_KEY = "sk-wrong-provider-key-1234";

async function openProviders(page, labels) {
  await loginThroughUi(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, labels });
  await page.getByRole("heading", { name: labels.emptyTitle }).waitFor();
  await page.goto("/admin/providers");
  await page.getByTestId("providers").waitFor();
}

test("set, test, replace and delete a provider key; Azure settings", async () => {
  const { page, problems, context } = await openPage(browser);
  await openProviders(page, EN);
  await page.getByRole("tab", { name: "Providers", selected: true }).waitFor();
  const cards = page.getByTestId("provider-card");
  assert.equal(await cards.count(), 7);
  const mistral = page.locator("[data-testid=provider-card][data-provider=mistral]");
  // The test hub gives every provider a key by variable.
  assert.equal(await mistral.getAttribute("data-source"), "environment");
  await mistral.getByRole("button", { name: "Test Mistral" }).click();
  await mistral.getByTestId("provider-test").getByText(/Works · \d+ ms/).waitFor();
  await screenshot(page, "en-admin-providers");

  // A wrong key, typed into a masked field: the provider refuses it.
  await mistral.getByRole("button", { name: /^Set the key of Mistral/ }).click();
  const dialog = page.getByTestId("provider-key-dialog");
  const field = dialog.getByLabel("API key of Mistral");
  assert.equal(await field.getAttribute("type"), "password");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByText("Enter the key.").waitFor();
  await field.fill(WRONG_KEY);
  await screenshot(page, "en-admin-provider-key");
  await dialog.getByRole("button", { name: "Save" }).click();
  await page.waitForFunction(() => document.querySelector("[data-provider=mistral]")?.getAttribute("data-source") === "database");
  await mistral.getByTestId("provider-hint").getByText("1234").waitFor();
  await mistral.getByRole("button", { name: "Test Mistral" }).click();
  await mistral.getByTestId("provider-test").locator("[data-ok=false]").waitFor();
  await screenshot(page, "en-admin-provider-test-failed");

  // The right key: the test passes. The key itself is never on the page.
  await mistral.getByRole("button", { name: /^Replace the key of Mistral/ }).click();
  await dialog.getByLabel("API key of Mistral").fill(FAKE_KEY);
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  await mistral.getByRole("button", { name: "Test Mistral" }).click();
  await mistral.getByTestId("provider-test").getByText(/Works · \d+ ms/).waitFor();
  const html = await page.content();
  assert.ok(!html.includes(WRONG_KEY) && !html.includes(FAKE_KEY), "no key in the page");

  // Delete the stored key (after a confirmation): the environment's applies again.
  await mistral.getByRole("button", { name: "Delete the stored key of Mistral" }).click();
  await page.getByRole("heading", { name: "Delete the stored key?" }).waitFor();
  await page.getByRole("dialog").getByRole("button", { name: "Delete key" }).click();
  await page.waitForFunction(() => document.querySelector("[data-provider=mistral]")?.getAttribute("data-source") === "environment");

  // Azure OpenAI: an internal address is refused with the API's reason; an API version is kept.
  const azure = page.locator("[data-testid=provider-card][data-provider=azure_openai]");
  await azure.getByRole("button", { name: "Settings of Azure OpenAI" }).click();
  const settings = page.getByTestId("provider-settings-dialog");
  await settings.getByLabel("Endpoint").fill("https://169.254.169.254/");
  await settings.getByRole("button", { name: "Save" }).click();
  await settings.getByRole("alert").waitFor();
  await screenshot(page, "en-admin-provider-settings-refused");
  await settings.getByLabel("Endpoint").fill("");
  await settings.getByLabel("API version").fill("2025-04-01-preview");
  await settings.getByRole("button", { name: "Save" }).click();
  await settings.waitFor({ state: "detached" });
  await azure.getByTestId("provider-api-version").getByText("2025-04-01-preview").waitFor();

  assert.deepEqual(problems, []);
  await context.close();
});

test("the tab in German, and dark at phone width", async () => {
  const german = await openPage(browser, { locale: "de-DE" });
  await openProviders(german.page, DE);
  await german.page.getByRole("tab", { name: "Anbieter", selected: true }).waitFor();
  await german.page.getByText("Schlüssel aus der Umgebung").first().waitFor();
  await screenshot(german.page, "de-admin-providers");
  assert.deepEqual(german.problems, []);
  await german.context.close();

  const phone = await openPage(browser, { viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await openProviders(phone.page, EN);
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "no sideways scrolling: " + overflow);
  await screenshot(phone.page, "en-admin-phone-dark-providers");
  assert.deepEqual(phone.problems, []);
  await phone.context.close();
});
