// The German UI, and a model answer full of script injections rendered as harmless text.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DE, launch, openPage, registerThroughUi, screenshot, uniqueEmail } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the UI follows a German browser, and injected markup in an answer stays text", async () => {
  const { page, problems } = await openPage(browser, { locale: "de-DE" });
  await page.goto("/");
  await page.getByRole("heading", { name: DE.login }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "de");
  await screenshot(page, "de-01-login");
  await page.getByRole("button", { name: DE.toRegister }).click();
  await page.getByRole("heading", { name: "Konto erstellen" }).waitFor();
  await screenshot(page, "de-02-register");

  await registerThroughUi(page, { email: uniqueEmail("xss"), name: "Grete Müller", labels: DE });
  await screenshot(page, "de-03-new-chat");

  await page.getByLabel(DE.message).fill("Zeig mir ein Beispiel [[scenario:xss]]");
  await page.getByRole("button", { name: "Senden" }).click();
  const answer = page.getByTestId("message-assistant").last();
  await answer.getByText("<script>alert(1)</script>").waitFor();
  await answer.getByText("<img src=x onerror=alert(1)>", { exact: false }).waitFor();

  // Nothing was injected: no scripts or images in the answer, no handlers, no javascript: links.
  const injected = await answer.evaluate((el) => ({
    scripts: el.querySelectorAll("script").length,
    images: el.querySelectorAll("img").length,
    handlers: [...el.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
    jsLinks: [...el.querySelectorAll("a")].filter((a) => (a.getAttribute("href") ?? "").trim().toLowerCase().startsWith("javascript:")).length,
  }));
  assert.deepEqual(injected, { scripts: 0, images: 0, handlers: 0, jsLinks: 0 });
  // Give a delayed onerror a chance to fire (it would show up as a dialog).
  await page.waitForTimeout(500);
  await screenshot(page, "de-04-chat-xss");

  // The switches: English and back, dark theme.
  await page.getByRole("button", { name: "Kontomenü" }).click();
  await page.getByRole("radio", { name: "Dunkel" }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  await page.keyboard.press("Escape");
  await screenshot(page, "de-05-chat-dark");
  // Phone width, German, dark.
  await page.setViewportSize({ width: 390, height: 800 });
  await page.waitForTimeout(400);
  await screenshot(page, "de-06-phone-chat");
  await page.getByRole("button", { name: "Seitenleiste öffnen" }).click();
  await page.getByRole("button", { name: "Seitenleiste schließen" }).waitFor();
  await page.waitForTimeout(400);
  await screenshot(page, "de-07-phone-sidebar");
  await page.getByRole("button", { name: "Seitenleiste schließen" }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("button", { name: "Kontomenü" }).click();
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("button", { name: "Account menu" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.keyboard.press("Escape");
  await screenshot(page, "en-12-chat-dark");
  await page.reload();
  await page.getByRole("button", { name: "Account menu" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");

  assert.deepEqual(problems, []);
});
