// Assistants and prompt templates in the web app: an admin publishes a global assistant and a
// user makes one of their own, both chat with it (the fake provider answers), its starters send
// on click; a template with two variables is created (a malformed one is refused with its
// position), picked with "/" and the keyboard, filled in and sent; both are edited and deleted.
// English and German, dark at phone width.
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

const ANSWER = "The capital of France is Paris.";

async function loginAsAdmin(page, labels) {
  await loginThroughUi(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, labels });
  await page.getByRole("heading", { name: labels.emptyTitle }).waitFor();
}

/** Creates an assistant through the manager (open); ends with the manager showing it. */
async function createAssistant(page, { name, description, icon, prompt, starters, global = false }) {
  const manager = page.getByTestId("assistant-manager");
  await manager.getByRole("button", { name: "New assistant" }).click();
  const editor = page.getByTestId("assistant-editor");
  // The first field has the focus.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "assistant-name");
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("Description").fill(description);
  await editor.getByRole("radio", { name: icon }).check();
  await editor.getByLabel("Instructions (system prompt)").fill(prompt);
  for (const [i, starter] of starters.entries()) await editor.getByLabel("Conversation starter " + (i + 1)).fill(starter);
  if (global) await editor.getByLabel(/For everyone/).check();
  return editor;
}

test("assistants: create, chat with one, starters, edit and delete; global ones for admins only", async () => {
  const admin = await openPage(browser);
  const member = await openPage(browser);
  const { page } = admin;
  await loginAsAdmin(page, EN);

  // An admin publishes a global assistant.
  await page.getByRole("button", { name: "Manage assistants" }).click();
  const manager = page.getByTestId("assistant-manager");
  await manager.waitFor();
  const editor = await createAssistant(page, {
    name: "Travel guide",
    description: "Knows every capital",
    icon: "Globe",
    prompt: "You are a travel guide. Answer briefly.",
    starters: ["What is the capital of France?", "Plan a weekend in Lyon"],
    global: true,
  });
  // A missing name is refused before anything is sent.
  await editor.getByLabel("Name", { exact: true }).fill("");
  await editor.getByRole("button", { name: "Save" }).click();
  await editor.getByText("Enter a name.").waitFor();
  await editor.getByLabel("Name", { exact: true }).fill("Travel guide");
  await screenshot(page, "en-assistant-editor");
  await editor.getByRole("button", { name: "Save" }).click();
  const row = manager.locator("[data-testid=assistant-row][data-name='Travel guide']");
  await row.getByText("everyone").waitFor();
  await screenshot(page, "en-assistant-manager");
  // Escape closes the manager; the sidebar lists the assistant under "For everyone".
  await page.keyboard.press("Escape");
  await manager.waitFor({ state: "detached" });
  const link = page.locator("[data-testid=assistant-link][data-assistant='Travel guide']");
  await link.waitFor();

  // A new chat with it: its starters on the empty chat; one click sends one.
  await link.click();
  await page.getByTestId("assistant-empty").getByRole("heading", { name: "Travel guide" }).waitFor();
  await page.getByTestId("chat-assistant").getByText("Travel guide").waitFor();
  assert.equal(await page.getByTestId("starter").count(), 2);
  await screenshot(page, "en-assistant-empty-chat");
  await page.getByTestId("starter").first().click();
  await page.getByTestId("message-assistant").last().getByText(ANSWER).waitFor();
  await page.getByTestId("message-user").getByText("What is the capital of France?").waitFor();
  await page.waitForURL(/\/c\//);
  // The list entry and the header show the assistant, also after a reload (from the API).
  await page.reload();
  await page.getByTestId("chat-assistant").getByText("Travel guide").waitFor();
  const entry = page.locator(".chat-item.selected .chat-link");
  assert.match((await entry.getAttribute("title")) ?? "", /Travel guide/);
  await screenshot(page, "en-assistant-chat");

  // A user sees the global assistant, may chat with it but not change it, and makes their own.
  await registerThroughUi(member.page, { email: uniqueEmail("assist"), name: "Assistant User", labels: EN });
  await member.page.locator("[data-testid=assistant-link][data-assistant='Travel guide']").waitFor();
  await member.page.getByRole("button", { name: "Manage assistants" }).click();
  const memberManager = member.page.getByTestId("assistant-manager");
  const globalRow = memberManager.locator("[data-testid=assistant-row][data-name='Travel guide']");
  await globalRow.waitFor();
  assert.equal(await globalRow.getByRole("button", { name: "Edit Travel guide" }).count(), 0);
  const own = await createAssistant(member.page, {
    name: "Proofreader",
    description: "",
    icon: "Pen",
    prompt: "Correct the spelling.",
    starters: [],
  });
  assert.equal(await own.getByLabel(/For everyone/).count(), 0, "only admins publish global assistants");
  await own.getByRole("button", { name: "Save" }).click();
  await memberManager.locator("[data-testid=assistant-row][data-name='Proofreader']").waitFor();
  // Start a chat from the manager; a message gets the fake provider's answer.
  await memberManager.locator("[data-testid=assistant-row][data-name='Proofreader']").getByRole("button", { name: "New chat with Proofreader" }).click();
  await member.page.getByTestId("assistant-empty").getByRole("heading", { name: "Proofreader" }).waitFor();
  await member.page.getByLabel(EN.message).fill("Teh quick brown fox");
  await member.page.keyboard.press("Enter");
  await member.page.getByTestId("message-assistant").last().getByText(ANSWER).waitFor();
  await member.page.getByTestId("chat-assistant").getByText("Proofreader").waitFor();
  // The admin never sees it.
  await page.reload();
  await page.locator("[data-testid=assistant-link][data-assistant='Travel guide']").waitFor();
  assert.equal(await page.locator("[data-testid=assistant-link][data-assistant='Proofreader']").count(), 0);

  // Edit: the new name shows in the sidebar and the chat's header.
  await member.page.getByRole("button", { name: "Manage assistants" }).click();
  await memberManager.getByRole("button", { name: "Edit Proofreader" }).click();
  await member.page.getByTestId("assistant-editor").getByLabel("Name", { exact: true }).fill("Editor");
  await member.page.getByTestId("assistant-editor").getByRole("button", { name: "Save" }).click();
  await memberManager.locator("[data-testid=assistant-row][data-name='Editor']").waitFor();
  // Delete (after a confirmation): gone from the sidebar; the conversation stays, without it.
  await memberManager.getByRole("button", { name: "Delete Editor" }).click();
  await member.page.getByRole("heading", { name: "Delete this assistant?" }).waitFor();
  await member.page.getByRole("button", { name: "Delete", exact: true }).click();
  await memberManager.locator("[data-testid=assistant-row][data-name='Editor']").waitFor({ state: "detached" });
  await member.page.keyboard.press("Escape");
  await member.page.reload();
  await member.page.getByTestId("message-assistant").last().getByText(ANSWER).waitFor();
  assert.equal(await member.page.getByTestId("chat-assistant").count(), 0);
  assert.equal(await member.page.locator("[data-testid=assistant-link][data-assistant='Editor']").count(), 0);

  for (const { problems } of [admin, member]) assert.deepEqual(problems, []);
  await admin.context.close();
  await member.context.close();
});

test("templates: a refused body shows its position; two variables are asked for and filled in; edit and delete", async () => {
  const { page, problems, context } = await openPage(browser);
  await registerThroughUi(page, { email: uniqueEmail("templates"), name: "Template User", labels: EN });

  // The button opens the picker; with no templates it offers the manager.
  await page.getByTestId("template-button").click();
  await page.getByTestId("template-picker").getByText("No templates yet.").waitFor();
  await page.getByRole("button", { name: "Manage templates" }).click();
  const manager = page.getByTestId("template-manager");
  await manager.getByRole("button", { name: "New template" }).click();
  const editor = page.getByTestId("template-editor");
  await editor.getByLabel("Title").fill("Translate");
  // A malformed placeholder: the API refuses it with the line and the column.
  await editor.getByLabel("Text", { exact: true }).fill("Hello\n{{ first name }}");
  await editor.getByRole("button", { name: "Save" }).click();
  await editor.getByText(/Line 2, column \d+/).waitFor();
  await screenshot(page, "en-template-error");
  await editor.getByLabel("Text", { exact: true }).fill("Translate {{ text }} into {{language}}. Answer only in {{language}}.");
  // One description field per variable (a repeated one once).
  await editor.getByLabel("text", { exact: true }).fill("The text to translate");
  await editor.getByLabel("language", { exact: true }).fill("The target language, e.g. German");
  await screenshot(page, "en-template-editor");
  await editor.getByRole("button", { name: "Save" }).click();
  await manager.locator("[data-testid=template-row][data-title='Translate']").getByText("Variables: text, language").waitFor();
  await page.keyboard.press("Escape");
  await manager.waitFor({ state: "detached" });

  // "/" at the start opens the picker; typing filters; arrow keys and Enter pick.
  const input = page.getByLabel(EN.message);
  await input.click();
  await page.keyboard.type("/tra");
  const option = page.getByTestId("template-option").filter({ hasText: "Translate" });
  await option.waitFor();
  assert.equal(await input.getAttribute("aria-expanded"), "true");
  await screenshot(page, "en-template-picker");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const fill = page.getByTestId("template-fill");
  await fill.getByText("The target language, e.g. German").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "template-var-text");
  // Both are needed.
  await fill.getByRole("button", { name: "Insert" }).click();
  await fill.getByText(/Fill in every field/).waitFor();
  await fill.getByLabel("text", { exact: true }).fill("bonjour");
  await fill.getByLabel("language", { exact: true }).fill("German");
  await screenshot(page, "en-template-fill");
  await fill.getByRole("button", { name: "Insert" }).click();
  await page.waitForFunction(
    () => document.querySelector("[data-testid=composer-input]")?.value === "Translate bonjour into German. Answer only in German.",
  );
  // The input gets the focus back once the dialog has closed (a frame after the text is in).
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "composer-input");
  await page.keyboard.press("Enter");
  await page.getByTestId("message-user").getByText("Translate bonjour into German. Answer only in German.").waitFor();
  await page.getByTestId("message-assistant").last().getByText(ANSWER).waitFor();

  // Escape closes the picker and keeps the text.
  await input.fill("");
  await page.keyboard.type("/");
  await page.getByTestId("template-picker").waitFor();
  await page.keyboard.press("Escape");
  await page.getByTestId("template-picker").waitFor({ state: "detached" });
  assert.equal(await input.inputValue(), "/");
  await input.fill("");

  // Edit the title, then delete it (after a confirmation).
  await page.getByTestId("template-button").click();
  await page.getByRole("button", { name: "Manage templates" }).click();
  await manager.getByRole("button", { name: "Edit Translate" }).click();
  await editor.getByLabel("Title").fill("Translator");
  await editor.getByRole("button", { name: "Save" }).click();
  await manager.locator("[data-testid=template-row][data-title='Translator']").waitFor();
  await manager.getByRole("button", { name: "Delete Translator" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await manager.getByText("No templates yet.").waitFor();
  await page.keyboard.press("Escape");

  assert.deepEqual(problems, []);
  await context.close();
});

test("German, dark at phone width", async () => {
  const { page, problems, context } = await openPage(browser, { locale: "de-DE", viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await loginAsAdmin(page, DE);
  await page.getByRole("button", { name: "Seitenleiste öffnen" }).click();
  await page.getByRole("button", { name: "Assistenten verwalten" }).click();
  const manager = page.getByTestId("assistant-manager");
  await manager.getByRole("button", { name: "Neuer Assistent" }).click();
  const editor = page.getByTestId("assistant-editor");
  await editor.getByLabel("Name", { exact: true }).fill("Reiseführer");
  await editor.getByRole("radio", { name: "Globus" }).check();
  await editor.getByLabel("Anweisungen (Systemprompt)").fill("Sie sind ein Reiseführer.");
  await editor.getByLabel("Gesprächseinstieg 1").fill("Was ist die Hauptstadt von Frankreich?");
  await screenshot(page, "de-phone-dark-assistant-editor");
  await editor.getByRole("button", { name: "Speichern" }).click();
  await manager.locator("[data-testid=assistant-row][data-name='Reiseführer']").getByRole("button", { name: "Neuer Chat mit Reiseführer" }).click();
  await page.getByTestId("assistant-empty").getByRole("heading", { name: "Reiseführer" }).waitFor();
  await screenshot(page, "de-phone-dark-assistant-empty-chat");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "no sideways scrolling: " + overflow);
  await page.getByLabel(DE.message).click();
  await page.keyboard.type("/");
  await page.getByTestId("template-picker").getByText("Noch keine Vorlagen.").waitFor();
  await screenshot(page, "de-phone-dark-template-picker");
  await page.keyboard.press("Escape");
  await page.getByTestId("starter").click();
  await page.getByTestId("message-assistant").last().getByText(ANSWER).waitFor();
  await page.getByTestId("chat-assistant").waitFor();
  await screenshot(page, "de-phone-dark-assistant-chat");
  assert.deepEqual(problems, []);
  await context.close();
});
