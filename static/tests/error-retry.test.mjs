// A provider failure is shown with its reason, and "try again" answers with the same model (the
// fake provider fails the conversation once: `[[scenario:error_once_500]]`).
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

test("a provider error is shown, and retrying answers", async () => {
  const { page, problems } = await openPage(browser, { colorScheme: "dark" });
  await registerThroughUi(page, { email: uniqueEmail("retry"), name: "Grace Hopper", labels: EN });

  // The default model's provider fails with a 500, once.
  await page.getByLabel(EN.message).fill("Summarise the quarterly report. [[scenario:error_once_500]]");
  await page.keyboard.press("Enter");
  const failed = page.getByTestId("answer-error").or(page.getByTestId("send-error"));
  await failed.waitFor();
  await failed.getByText("The provider is not available right now.", { exact: false }).waitFor();
  const retry = page.getByRole("button", { name: "Try again" });
  await retry.waitFor();
  // The typed message is not lost.
  await page.getByTestId("message-user").getByText("Summarise the quarterly report.").waitFor();
  await screenshot(page, "en-13-provider-error");

  // Retry with the same model: the failed answer is replaced.
  await retry.click();
  const answer = page.getByTestId("message-assistant").last();
  await page.waitForFunction(() => {
    const last = [...document.querySelectorAll("[data-testid=message-assistant]")].pop();
    return last?.getAttribute("data-status") === "complete";
  });
  assert.ok((await answer.innerText()).trim().length > 0);
  assert.equal(await page.getByTestId("answer-error").count(), 0, "the failed answer was replaced");
  assert.equal(await page.getByTestId("message-user").count(), 1, "retry does not repeat the question");
  await screenshot(page, "en-14-retry-answer");

  // After a reload, the stored conversation has the one question and the new answer.
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=message-assistant][data-status=complete]").length === 1);
  assert.equal(await page.getByTestId("answer-error").count(), 0);

  // Stop: the request ends at once; the hub completes and stores the answer, which appears.
  await page.getByLabel(EN.message).fill("And the capital of Italy? [[scenario:slow_800]]");
  await page.keyboard.press("Enter");
  await page.getByTestId("message-streaming").getByText("Paris", { exact: false }).waitFor();
  await page.getByTestId("stop").click();
  await page.getByText("Stopped.", { exact: false }).waitFor();
  assert.equal(await page.getByTestId("message-streaming").count(), 0);
  // What arrived before the stop stays visible, marked as incomplete.
  const stopped = page.getByTestId("message-assistant").last();
  assert.equal(await stopped.getAttribute("data-status"), "partial");
  assert.match(await stopped.innerText(), /Paris/);
  await screenshot(page, "en-15-stopped");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=message-assistant][data-status=complete]").length === 2);

  // The session ends on the server (as when it is revoked): the next request leads to the
  // login screen, and the typed message is still there after logging in again.
  const email = await page.evaluate(async () => {
    const session = JSON.parse(localStorage.getItem("hub.session") ?? "{}");
    await fetch("/api/auth/logout", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: session.refreshToken }),
    });
    return session.user.email;
  });
  await page.getByLabel(EN.message).fill("A draft that must survive");
  await page.keyboard.press("Enter");
  await page.getByText("Your session has ended.", { exact: false }).waitFor();
  await screenshot(page, "en-16-session-ended");
  await page.getByLabel(EN.email).fill(email);
  await page.getByLabel(EN.password, { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByLabel(EN.message).waitFor();
  assert.equal(await page.getByLabel(EN.message).inputValue(), "A draft that must survive");

  assert.deepEqual(problems, []);
});
