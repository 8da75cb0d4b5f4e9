// Register, log out, log in, chat with a streamed answer, title, reload, rename, delete.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EN, PASSWORD, launch, openPage, registerThroughUi, screenshot, uniqueEmail } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("register, log in, stream an answer, get a title, reload, rename, delete", async () => {
  const { page, problems } = await openPage(browser);
  const email = uniqueEmail("flow");

  // Login screen, then registration with validation.
  await page.goto("/");
  await page.getByRole("heading", { name: EN.login }).waitFor();
  await screenshot(page, "en-01-login");
  await page.getByRole("button", { name: EN.toRegister }).click();
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Enter your email address.").waitFor();
  await page.getByText("Enter your password.").waitFor();
  await page.getByLabel(EN.email).fill("not-an-email");
  await page.getByLabel(EN.password, { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Enter a valid email address, like name@example.com.").waitFor();
  await page.getByText("The password needs at least 8 characters.").waitFor();
  await screenshot(page, "en-02-register-validation");

  await registerThroughUi(page, { email, name: "Ada Lovelace", labels: EN });
  await screenshot(page, "en-03-new-chat");

  // Log out and back in; a wrong password shows the API's error.
  await page.getByRole("button", { name: "Account menu" }).click();
  await screenshot(page, "en-04-user-menu");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: EN.login }).waitFor();
  await page.getByLabel(EN.email).fill(email);
  await page.getByLabel(EN.password, { exact: true }).fill("wrong-password-1");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText("The email or the password is wrong.").waitFor();
  await screenshot(page, "en-05-login-error");
  await page.getByLabel(EN.password, { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: EN.emptyTitle }).waitFor();

  // The model list comes from /api/models; the default model is selected.
  const model = page.getByTestId("model-select");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=model-select] option").length > 3);
  const selected = await model.inputValue();
  assert.notEqual(selected, "");
  // A reasoning model takes no temperature: the slider is disabled for it.
  const temperature = page.getByTestId("temperature");
  assert.equal(await temperature.isEnabled(), true);
  await model.selectOption("gpt-5");
  assert.equal(await temperature.isEnabled(), false);
  await model.selectOption(selected);
  assert.equal(await temperature.isEnabled(), true);

  // A slow answer: it must appear piece by piece, not at once.
  await page.getByLabel(EN.message).fill("What is the capital of France? [[scenario:slow_600]]");
  await page.keyboard.press("Enter");
  const streaming = page.getByTestId("message-streaming");
  await streaming.getByText("The capital").waitFor();
  const partial = await streaming.innerText();
  assert.ok(!partial.includes("Paris."), "the first pieces arrive before the end: " + partial);
  await page.getByTestId("stop").waitFor();
  await screenshot(page, "en-06-streaming");
  const answer = page.getByTestId("message-assistant").last();
  await answer.getByText("The capital of France is Paris.").waitFor();
  assert.equal(await streaming.count(), 0);
  assert.equal(await answer.getAttribute("data-status"), "complete");

  // The title from the first exchange, in the header and the sidebar.
  const heading = page.getByTestId("chat-title");
  await page.waitForFunction((untitled) => {
    const text = document.querySelector("[data-testid=chat-title]")?.textContent ?? "";
    return text !== "" && text !== untitled;
  }, EN.untitled);
  const title = (await heading.innerText()).trim();
  assert.equal(await page.title(), title + " · AI Hub");
  await page.getByRole("navigation", { name: "Conversations" }).getByRole("button", { name: title, exact: true }).waitFor();
  // The usage widget counts the requests (the answer, and the title when the hub asked a model).
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=usage-requests]")?.textContent) >= 1);
  await screenshot(page, "en-07-answer");
  const chatUrl = page.url();
  assert.match(chatUrl, /\/c\/[0-9a-f-]{36}$/);

  // A reload keeps the conversation, the title and the session.
  await page.reload();
  await page.getByTestId("message-assistant").getByText("The capital of France is Paris.").waitFor();
  await page.getByTestId("message-user").getByText("What is the capital of France?").waitFor();
  assert.equal((await heading.innerText()).trim(), title);
  assert.equal(page.url(), chatUrl);

  // The conversation's menu works with the keyboard: Enter opens it on its first item, arrows
  // move, Escape closes it and returns to its button.
  const nav = page.getByRole("navigation", { name: "Conversations" });
  const more = nav.getByRole("button", { name: `Actions for “${title}”` });
  const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
  await more.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("menu").waitFor();
  assert.equal(await focused(), "Rename");
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), "Delete");
  await page.keyboard.press("Escape");
  await page.getByRole("menu").waitFor({ state: "detached" });
  assert.equal(await more.evaluate((el) => el === document.activeElement), true);

  // Rename through the conversation's menu.
  await nav.getByRole("button", { name: `Actions for “${title}”` }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const input = page.getByLabel("New title");
  await input.fill("Trip to Paris");
  await input.press("Enter");
  await nav.getByRole("button", { name: "Trip to Paris", exact: true }).waitFor();
  await page.reload();
  await page.getByTestId("chat-title").getByText("Trip to Paris").waitFor();
  await screenshot(page, "en-08-renamed");

  // Delete with confirmation: cancel first, then confirm.
  await nav.getByRole("button", { name: "Actions for “Trip to Paris”" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this conversation?" });
  await dialog.waitFor();
  await screenshot(page, "en-09-delete-dialog");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await nav.getByRole("button", { name: "Trip to Paris", exact: true }).waitFor();
  await nav.getByRole("button", { name: "Actions for “Trip to Paris”" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await page.getByText("No conversations yet.", { exact: false }).waitFor();
  await page.getByRole("heading", { name: EN.emptyTitle }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/");
  await page.reload();
  await page.getByText("No conversations yet.", { exact: false }).waitFor();

  // Phone width: the sidebar is a drawer behind a menu button.
  await page.setViewportSize({ width: 390, height: 800 });
  const drawerSettled = () => page.waitForTimeout(400); // the drawer slides for 0.2 s
  await drawerSettled();
  // Only the top bar's "new chat" is reachable: the drawer's content is hidden.
  assert.equal(await page.getByRole("button", { name: "New chat", exact: true }).count(), 1);
  await screenshot(page, "en-10-phone");
  await page.getByRole("button", { name: "Open the sidebar" }).click();
  await page.getByRole("button", { name: "Close the sidebar" }).waitFor();
  await drawerSettled();
  await screenshot(page, "en-11-phone-sidebar");
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Close the sidebar" }).waitFor({ state: "hidden" });

  assert.deepEqual(problems, []);
});
