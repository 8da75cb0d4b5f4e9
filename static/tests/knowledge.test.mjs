// Knowledge in the web app. The first test needs only the upload component: a user (German UI)
// creates a collection, uploads files with the file picker and by drag and drop (each ready, an
// empty one failed with its reason), searches (the snippet's match in bold, a file's markup shown
// as text, the "Stichwortsuche" label: the test hub has no embedding model), downloads a file,
// deletes it, renames and deletes the collection; then the page in English, dark, at phone width.
// The second test covers answers with sources: a collection attached to a chat, an answer citing
// the right page of a PDF, a file attached to a message, the sources under the answer and after
// a reload.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { DE, EN, launch, openPage, registerThroughUi, screenshot, uniqueEmail } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const HOLIDAY = "# Urlaub\n\nDer Antrag auf Erholungsurlaub wird im Personalportal gestellt. Die Genehmigung erteilt die Teamleitung.\n";
const MARKUP = "Hinweis: <img src=x onerror=alert(1)> Die Genehmigung gilt ein Jahr.\n";

/** Drops `files` ({name, mimeType, bytes}) on the element `selector`, as a drag from the desktop would. */
async function dropFiles(page, selector, files) {
  const list = files.map((f) => ({ ...f, bytes: Array.from(f.bytes) }));
  const transfer = await page.evaluateHandle((items) => {
    const data = new DataTransfer();
    for (const f of items) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.mimeType }));
    return data;
  }, list);
  await page.dispatchEvent(selector, "dragover", { dataTransfer: transfer });
  await page.dispatchEvent(selector, "drop", { dataTransfer: transfer });
}

/** The row of file `name` in the selected collection. */
function fileRow(page, name) {
  return page.locator(`[data-testid=file-row][data-name='${name}']`);
}

test("knowledge page: collection, upload (picker and drop) with status, keyword search, download, delete", async () => {
  const { page, problems, context } = await openPage(browser, { locale: "de-DE" });
  await registerThroughUi(page, { email: uniqueEmail("knowledge"), name: "Wissen Nutzer", labels: DE });

  await page.getByTestId("knowledge-entry").click();
  await page.waitForURL(/\/knowledge$/);
  await page.getByRole("heading", { name: "Wissen", level: 1 }).waitFor();
  await page.getByText("Noch keine Sammlungen.").waitFor();

  // A collection: a missing name is refused before anything is sent.
  await page.getByRole("button", { name: "Neue Sammlung" }).click();
  const dialog = page.getByTestId("collection-dialog");
  await dialog.getByRole("button", { name: "Speichern" }).click();
  await dialog.getByText("Geben Sie einen Namen ein.").waitFor();
  await dialog.getByLabel("Name").fill("Personalhandbuch");
  await dialog.getByLabel("Beschreibung").fill("Regeln für Urlaub");
  // Only administrators publish collections for everyone.
  assert.equal(await dialog.getByLabel(/Für alle/).count(), 0);
  await dialog.getByRole("button", { name: "Speichern" }).click();
  await dialog.waitFor({ state: "detached" });
  const detail = page.getByTestId("collection-detail");
  await detail.getByRole("heading", { name: "Personalhandbuch" }).waitFor();
  await detail.getByText("Noch keine Dateien.").waitFor();

  // Upload with the file picker: ready, keyword only (no embedding model is active).
  await page.getByTestId("upload-input").setInputFiles({ name: "urlaub.md", mimeType: "text/markdown", buffer: Buffer.from(HOLIDAY) });
  const holiday = fileRow(page, "urlaub.md");
  await holiday.locator("[data-testid=file-status][data-status=ready]").waitFor();
  await holiday.getByText("Markdown").waitFor();
  assert.equal(await holiday.getByTestId("file-status").getAttribute("data-embedding"), "none");
  await holiday.getByText("Nur Stichwörter").waitFor();

  // Drag and drop: a file with markup (ready), and an image (stored, failed with its reason).
  await dropFiles(page, "[data-testid=upload-zone]", [
    { name: "hinweis.txt", mimeType: "text/plain", bytes: Buffer.from(MARKUP) },
    { name: "bild.png", mimeType: "image/png", bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
  ]);
  await fileRow(page, "hinweis.txt").locator("[data-testid=file-status][data-status=ready]").waitFor();
  const image = fileRow(page, "bild.png");
  await image.locator("[data-testid=file-status][data-status=failed]").waitFor();
  await image.getByText("Fehlgeschlagen").waitFor();
  // A failed file says why, in the user's language.
  await image.getByText("Kein PDF, Word-Dokument (.docx), Markdown oder Text.").waitFor();
  // An empty file is refused: the upload shows why and can be dismissed.
  await page.getByTestId("upload-input").setInputFiles({ name: "leer.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) });
  const refused = page.getByTestId("upload-item").filter({ hasText: "leer.txt" });
  await refused.getByRole("alert").getByText("Die Datei ist leer.").waitFor();
  await screenshot(page, "de-knowledge-files");
  await refused.getByRole("button", { name: "leer.txt ausblenden" }).click();
  await refused.waitFor({ state: "detached" });
  assert.equal(await fileRow(page, "leer.txt").count(), 0);

  // Search: the matched word in bold, the file's markup as text, the keyword-only label.
  await page.getByTestId("knowledge-query").fill("Genehmigung");
  await page.keyboard.press("Enter");
  const search = page.getByTestId("knowledge-search");
  await search.getByTestId("keyword-mode").getByText("Stichwortsuche").waitFor();
  const hits = search.getByTestId("search-hit");
  await hits.first().waitFor();
  assert.equal(await hits.count(), 2);
  const bold = await search.locator(".hit-snippet strong").allTextContents();
  assert.ok(bold.length >= 2 && bold.every((b) => /genehmigung/i.test(b)), "matches are bold: " + JSON.stringify(bold));
  const markupHit = hits.filter({ hasText: "hinweis.txt" });
  assert.match(await markupHit.locator(".hit-snippet").textContent(), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await search.locator(".hit-snippet img").count(), 0);
  await search.getByText("2 Textstellen gefunden").waitFor();
  await screenshot(page, "de-knowledge-search");
  // Nothing found is said so.
  await page.getByTestId("knowledge-query").fill("Dienstwagen");
  await page.keyboard.press("Enter");
  await search.getByText("Nichts gefunden.").waitFor();

  // Download: the stored bytes under the file's name.
  const [download] = await Promise.all([page.waitForEvent("download"), holiday.getByRole("button", { name: "urlaub.md herunterladen" }).click()]);
  assert.equal(download.suggestedFilename(), "urlaub.md");
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  assert.equal(Buffer.concat(chunks).toString("utf8"), HOLIDAY);

  // Delete a file (after a confirmation).
  await holiday.getByRole("button", { name: "urlaub.md löschen" }).click();
  await page.getByRole("heading", { name: "Diese Datei löschen?" }).waitFor();
  await page.getByRole("button", { name: "Löschen", exact: true }).click();
  await holiday.waitFor({ state: "detached" });
  assert.equal(await page.getByTestId("file-row").count(), 2);

  // Rename, then delete the collection with its files.
  await detail.getByRole("button", { name: "Personalhandbuch umbenennen" }).click();
  await dialog.getByLabel("Name").fill("Handbuch");
  await dialog.getByRole("button", { name: "Speichern" }).click();
  await detail.getByRole("heading", { name: "Handbuch" }).waitFor();
  await page.locator("[data-testid=collection-link][data-name='Handbuch']").waitFor();

  // The English page, dark, at phone width (the sidebar is a drawer there).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.evaluate(() => localStorage.setItem("hub.language", "en"));
  await page.reload();
  await page.getByRole("heading", { name: "Knowledge", level: 1 }).waitFor();
  await page.getByTestId("file-row").first().waitFor();
  await page.getByTestId("knowledge-query").fill("Genehmigung");
  await page.keyboard.press("Enter");
  await search.getByTestId("keyword-mode").getByText("Keyword search").waitFor();
  await search.getByTestId("search-hit").first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, "no sideways scrolling at phone width (" + String(overflow) + "px)");
  await screenshot(page, "en-knowledge-phone-dark");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.evaluate(() => localStorage.setItem("hub.language", "de"));
  await page.reload();
  await detail.getByRole("heading", { name: "Handbuch" }).waitFor();

  await detail.getByRole("button", { name: "Handbuch löschen" }).click();
  await page.getByRole("heading", { name: "Diese Sammlung löschen?" }).waitFor();
  await page.getByRole("button", { name: "Löschen", exact: true }).click();
  await page.getByText("Noch keine Sammlungen.").waitFor();

  assert.deepEqual(problems, []);
  await context.close();
});

// Answers with sources. Needs the chat part of issue #14 (`collection_ids` of chats, `file_ids`
// of messages, the `sources` event and stored `sources`); the fake provider's answer cites
// nothing, so the sources come from retrieval alone (keyword mode: no embedding model).
test("answers with sources: a collection on the chat, a PDF's page cited, a file on a message, sources after a reload", async () => {
  const { page, problems, context } = await openPage(browser);
  await registerThroughUi(page, { email: uniqueEmail("sources"), name: "Sources User", labels: EN });

  // A collection with a file about capitals.
  await page.getByTestId("knowledge-entry").click();
  await page.getByRole("button", { name: "New collection" }).click();
  await page.getByTestId("collection-dialog").getByLabel("Name").fill("Geography");
  await page.getByTestId("collection-dialog").getByRole("button", { name: "Save" }).click();
  await page.getByTestId("upload-input").setInputFiles({
    name: "capitals.md",
    mimeType: "text/markdown",
    buffer: Buffer.from("# Capitals\n\nThe capital of France is Paris. The capital of Italy is Rome.\n"),
  });
  await fileRow(page, "capitals.md").locator("[data-testid=file-status][data-status=ready]").waitFor();
  // A PDF of four pages (the third a drawing): each passage keeps its page.
  await page.getByTestId("upload-input").setInputFiles({
    name: "orchard.pdf",
    mimeType: "application/pdf",
    buffer: readFileSync(new URL("../../shared/knowledge/tests/fixtures/multipage.pdf", import.meta.url)),
  });
  await fileRow(page, "orchard.pdf").locator("[data-testid=file-status][data-status=ready]").waitFor();

  // A new chat with the collection attached (chosen before the first message).
  await page.getByRole("button", { name: "New chat" }).first().click();
  await page.getByRole("heading", { name: EN.emptyTitle }).waitFor();
  await page.getByTestId("collections-button").click();
  await page.getByRole("checkbox", { name: "Geography" }).check();
  await page.keyboard.press("Escape");
  await page.getByTestId("collection-chip").getByText("Geography").waitFor();
  await page.getByLabel(EN.message).fill("What is the capital of France?");
  await page.keyboard.press("Enter");
  const answer = page.getByTestId("message-assistant").last();
  await answer.getByTestId("sources").waitFor();
  await answer.getByTestId("source").first().getByText("capitals.md").waitFor();
  // Only what matches: the PDF about fruit is no source of an answer about capitals.
  assert.equal(await answer.getByTestId("source").count(), 1);
  await answer.getByTestId("source").first().getByRole("button").click();
  await answer.getByTestId("source-passage").getByText(/capital of France/).waitFor();
  await screenshot(page, "en-answer-sources");

  // A question about the PDF: the answer cites the page the passage is on.
  await page.getByLabel(EN.message).fill("When do cherries ripen?");
  await page.keyboard.press("Enter");
  const cherries = page.getByTestId("message-assistant").last();
  await cherries.getByTestId("source").first().getByText("orchard.pdf, p. 4").waitFor();
  await cherries.getByTestId("source").first().getByRole("button").click();
  await cherries.getByTestId("source-passage").getByText(/Cherries ripen in June/).waitFor();

  // After a reload: the stored answer keeps its sources, the chat its collection.
  await page.reload();
  await page.getByTestId("collection-chip").getByText("Geography").waitFor();
  const stored = page.getByTestId("message-assistant").first();
  await stored.getByTestId("source").first().getByText("capitals.md").waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    (async () => {
      await stored.getByTestId("source").first().getByRole("button").click();
      await stored.getByRole("button", { name: "Download capitals.md" }).click();
    })(),
  ]);
  assert.equal(download.suggestedFilename(), "capitals.md");

  // A file attached to one message: a chip while composing, on the question once sent.
  await page.getByTestId("attach-input").setInputFiles({ name: "rome.txt", mimeType: "text/plain", buffer: Buffer.from("Rome has been the capital of Italy since 1871.") });
  await page.locator("[data-testid=attachment][data-state=ready]").getByText("rome.txt").waitFor();
  await page.getByLabel(EN.message).fill("Since when is Rome the capital of Italy?");
  await page.keyboard.press("Enter");
  await page.getByTestId("message-user").last().getByTestId("message-file").getByText("rome.txt").waitFor();
  // The chips go once the hub has taken the message.
  await page.getByTestId("attachment").first().waitFor({ state: "detached" });
  await page.getByTestId("message-assistant").last().getByTestId("source").filter({ hasText: "rome.txt" }).waitFor();
  await page.reload();
  await page.getByTestId("message-user").last().getByTestId("message-file").getByText("rome.txt").waitFor();

  // Detaching the collection from the chat.
  await page.getByRole("button", { name: "Detach Geography" }).click();
  await page.getByTestId("collection-chip").waitFor({ state: "detached" });
  await page.reload();
  await page.getByTestId("message-assistant").last().waitFor();
  assert.equal(await page.getByTestId("collection-chip").count(), 0);

  assert.deepEqual(problems, []);
  await context.close();
});
