// Markdown rendering and sanitising (C7) in the real browser: src/lib/markdown.ts bundled with
// esbuild and run in a blank page, with the app's stylesheet for the screenshots.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { build } from "esbuild";
import { launch, openPage, screenshot } from "./helpers.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

let browser;
let bundle;
let css;
before(async () => {
  const result = await build({
    entryPoints: [path.resolve(here, "../src/lib/markdown.ts")],
    bundle: true,
    format: "iife",
    globalName: "hubMarkdown",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  bundle = result.outputFiles[0].text;
  const assets = path.resolve(here, "../site/assets");
  css = readdirSync(assets)
    .filter((f) => f.endsWith(".css"))
    .map((f) => readFileSync(path.join(assets, f), "utf8"))
    .join("\n");
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function renderer(options = {}) {
  const { page, problems } = await openPage(browser, options);
  await page.setContent(
    '<!doctype html><html><head><meta charset="utf-8"></head><body><main class="messages-inner"><article class="message message-assistant"><div class="markdown" id="out"></div></article></main></body></html>',
  );
  await page.addStyleTag({ content: css });
  await page.addScriptTag({ content: bundle });
  const render = (markdown) =>
    page.evaluate((md) => {
      const out = document.getElementById("out");
      out.innerHTML = globalThis.hubMarkdown.renderMarkdown(md, "Copy code");
      return out.innerHTML;
    }, markdown);
  return { page, problems, render };
}

const SAMPLE = [
  "## Rust example",
  "",
  "Here is **bold**, *italic*, `inline code` and [a link](https://example.com/docs).",
  "",
  "1. first",
  "2. second",
  "   - nested",
  "",
  "| Model | Input | Output |",
  "|---|---:|---:|",
  "| GPT-4o mini | 0.15 | 0.60 |",
  "| Claude Sonnet 4.5 | 3.00 | 15.00 |",
  "",
  "```rust",
  "fn main() {",
  '    let greeting = "Hello";',
  '    println!("{greeting}, world"); // 42',
  "}",
  "```",
  "",
  "> A quote.",
].join("\n");

test("Markdown renders headings, lists, tables, links and highlighted code with a copy button", async () => {
  const { page, problems, render } = await renderer();
  await render(SAMPLE);
  const facts = await page.evaluate(() => {
    const out = document.getElementById("out");
    const link = out.querySelector("a");
    return {
      h2: out.querySelector("h2")?.textContent,
      items: out.querySelectorAll("ol > li").length,
      nested: out.querySelectorAll("ol ul li").length,
      headers: [...out.querySelectorAll("table th")].map((th) => th.textContent),
      rows: out.querySelectorAll("table tbody tr").length,
      keyword: out.querySelector(".code-block code.hljs.language-rust .hljs-keyword")?.textContent,
      language: out.querySelector(".code-lang")?.textContent,
      copy: out.querySelector("button[data-copy-code]")?.textContent,
      code: out.querySelector(".code-block code")?.textContent,
      inline: out.querySelector("p code")?.textContent,
      target: link?.getAttribute("target"),
      rel: link?.getAttribute("rel"),
    };
  });
  assert.deepEqual(facts, {
    h2: "Rust example",
    items: 2,
    nested: 1,
    headers: ["Model", "Input", "Output"],
    rows: 2,
    keyword: "fn",
    language: "rust",
    copy: "Copy code",
    code: 'fn main() {\n    let greeting = "Hello";\n    println!("{greeting}, world"); // 42\n}',
    inline: "inline code",
    target: "_blank",
    rel: "noopener noreferrer nofollow",
  });
  await screenshot(page, "en-17-markdown");
  await page.evaluate(() => {
    document.documentElement.dataset.theme = "dark";
  });
  await screenshot(page, "en-18-markdown-dark");
  assert.deepEqual(problems, []);
});

test("an unfinished answer (open code fence, half a table) renders without errors", async () => {
  const { problems, render } = await renderer();
  for (const partial of ["```js\nconst a = ", "| a | b |\n|---|", "**bold", "[link](https://exa", "<scr", "<img src=x one"]) {
    const html = await render(partial);
    assert.ok(!/<script|onerror=|<img/i.test(html), partial + " -> " + html);
  }
  assert.deepEqual(problems, []);
});

const VECTORS = [
  "<script>window.__xss = 1</script>",
  '<img src=x onerror="window.__xss = 1">',
  "[click](javascript:window.__xss=1)",
  "[click](JaVaScRiPt:window.__xss=1)",
  "[click](  javascript:window.__xss=1)",
  '![x](x" onerror="window.__xss=1)',
  '<a href="javascript:window.__xss=1">a</a>',
  "<svg><script>window.__xss = 1</script></svg>",
  '<svg onload="window.__xss = 1"></svg>',
  '<iframe src="javascript:window.__xss=1"></iframe>',
  '<details open ontoggle="window.__xss = 1"><summary>x</summary></details>',
  "[x](data:text/html,<script>window.__xss=1</script>)",
  '<object data="javascript:window.__xss=1"></object>',
  "<style>body { display: none }</style>",
  '<form action="https://evil.example"><button>go</button></form>',
  '<math><mi xlink:href="javascript:window.__xss=1">x</mi></math>',
  "```html\n<script>window.__xss = 1</script>\n```",
  "`<img src=x onerror=window.__xss=1>`",
  '<div style="background:url(javascript:window.__xss=1)">x</div>',
];

test("script injections in an answer never run and stay visible as text", async () => {
  const { page, problems, render } = await renderer();
  for (const vector of VECTORS) {
    await render("Before\n\n" + vector + "\n\nAfter");
    const found = await page.evaluate(() => {
      const out = document.getElementById("out");
      const all = [...out.querySelectorAll("*")];
      return {
        dangerous: out.querySelectorAll("script, iframe, object, embed, form, style, svg, math").length,
        handlers: all.filter((e) => [...e.attributes].some((a) => a.name.toLowerCase().startsWith("on"))).length,
        styles: all.filter((e) => e.hasAttribute("style")).length,
        badUrls: all.filter((e) =>
          ["href", "src", "action", "xlink:href", "data"].some((name) => /^\s*(javascript|data):/i.test(e.getAttribute(name) ?? "")),
        ).length,
        text: out.textContent,
      };
    });
    assert.deepEqual({ ...found, text: undefined }, { dangerous: 0, handlers: 0, styles: 0, badUrls: 0, text: undefined }, vector);
    assert.ok(found.text.includes("Before") && found.text.includes("After"), vector + " swallowed the text: " + found.text);
  }
  // Raw HTML is shown as the text the model wrote.
  await render("<script>window.__xss = 1</script>");
  assert.match(await page.locator("#out").innerText(), /<script>window.__xss = 1<\/script>/);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => globalThis.__xss), undefined);
  assert.deepEqual(problems, []);
});

test("citations: [n] of a known source becomes a link to it, never in code, links or as markup", async () => {
  const { page, problems } = await renderer();
  const html = await page.evaluate(() => {
    const out = document.getElementById("out");
    const md = "Paris [1] and Rome [2][1], not [9]. `code [1]` and [a [1] link](https://example.com).\n\n```\nx = a[1]\n```\n\n<b>[1]</b>";
    const rendered = globalThis.hubMarkdown.renderMarkdown(md, "Copy code");
    out.innerHTML = globalThis.hubMarkdown.linkCitations(rendered, new Set([1, 2]), (n) => "#source-m-" + String(n));
    return out.innerHTML;
  });
  const links = await page.locator("#out a.citation").evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href"), a.dataset.cite]));
  // Three in the paragraph, one in the escaped markup's text; none in code or inside a link.
  assert.deepEqual(links, [
    ["[1]", "#source-m-1", "1"],
    ["[2]", "#source-m-2", "2"],
    ["[1]", "#source-m-1", "1"],
    ["[1]", "#source-m-1", "1"],
  ]);
  assert.match(html, /not \[9\]\./);
  assert.match(await page.locator("#out code").first().textContent(), /^code \[1\]$/);
  assert.match(await page.locator("#out pre code").textContent(), /x = a\[1\]/);
  assert.equal(await page.locator("#out b").count(), 0, "raw HTML stays text");
  // Without sources nothing changes.
  const plain = await page.evaluate(() => {
    const rendered = globalThis.hubMarkdown.renderMarkdown("See [1].", "Copy code");
    return globalThis.hubMarkdown.linkCitations(rendered, new Set(), () => "#x") === rendered;
  });
  assert.equal(plain, true);
  assert.deepEqual(problems, []);
});
