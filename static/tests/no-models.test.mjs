// A hub without any usable model: the chat tells an admin where to look (the Providers and Models tabs)
// and a user to ask an admin.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, DE, EN, launch, loginThroughUi, openPage, registerThroughUi, screenshot, uniqueEmail } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("an empty model list sends an admin to the Providers and Models tabs and a user to an admin", async () => {
  const admin = await openPage(browser);
  await loginThroughUi(admin.page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, labels: EN });
  const notice = admin.page.getByTestId("no-models");
  await notice.getByText("Set keys in the Providers tab of the admin console", { exact: false }).waitFor();
  await screenshot(admin.page, "en-no-models-admin");
  await notice.getByRole("button", { name: "Providers" }).click();
  await admin.page.waitForURL("**/admin/providers");
  await admin.page.getByRole("tab", { name: "Providers", selected: true }).waitFor();
  await admin.page.goto("/");
  await notice.getByRole("button", { name: "Models" }).click();
  await admin.page.waitForURL("**/admin/models");
  await admin.page.getByRole("tab", { name: "Models", selected: true }).waitFor();
  await admin.page.locator("[data-testid=model-row]").first().waitFor();

  const user = await openPage(browser, { locale: "de-DE" });
  await registerThroughUi(user.page, { email: uniqueEmail("nomodels"), name: "Ohne Modell", labels: DE });
  await user.page.getByTestId("no-models").getByText("Bitten Sie einen Administrator, eines hinzuzufügen.").waitFor();
  assert.equal(await user.page.getByTestId("no-models").getByRole("button").count(), 0);
  await screenshot(user.page, "de-no-models-user");

  for (const { problems } of [admin, user]) assert.deepEqual(problems, []);
});
