/**
 * Markdown to safe HTML for assistant messages (C7).
 *
 * Raw HTML in the Markdown is never interpreted: marked's `html` tokens are escaped and shown as
 * text. The result then goes through DOMPurify (no scripts, event handlers, `javascript:` URLs,
 * forms or frames), and links open in a new tab without an opener. Code blocks are highlighted
 * with highlight.js (a few common languages) and get a copy button, which the message component
 * wires up by event delegation (no inline handlers: the CSP forbids them).
 */
import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

const languages = { bash, css, go, java, javascript, json, python, rust, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);
hljs.registerAliases(["sh", "shell", "zsh"], { languageName: "bash" });
hljs.registerAliases(["js", "jsx", "mjs"], { languageName: "javascript" });
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["rs"], { languageName: "rust" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["yml"], { languageName: "yaml" });

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The label of the copy button, set per render (it follows the UI language). */
let copyLabel = "Copy code";

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    // Raw HTML from the model is shown as text, never interpreted.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? "").trim().split(/\s+/)[0]?.toLowerCase() ?? "";
      const known = language !== "" && hljs.getLanguage(language) !== undefined;
      const body = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
      const label = language === "" ? "text" : escapeHtml(language);
      return (
        '<div class="code-block"><div class="code-head"><span class="code-lang">' +
        label +
        '</span><button type="button" class="code-copy" data-copy-code="">' +
        escapeHtml(copyLabel) +
        '</button></div><pre><code class="hljs' +
        (known ? " language-" + escapeHtml(language) : "") +
        '">' +
        body +
        "</code></pre></div>"
      );
    },
  },
});

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

const PURIFY_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "textarea", "select", "iframe", "object", "embed"],
  FORBID_ATTR: ["style"],
  ADD_ATTR: ["target"],
};

/** Renders Markdown (possibly incomplete, while streaming) to sanitised HTML. */
export function renderMarkdown(markdown: string, copyCodeLabel: string): string {
  copyLabel = copyCodeLabel;
  const html = marked.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, PURIFY_CONFIG);
}

/** `[n]` in an answer's text: a citation of its source `n`. */
const CITATION = /\[(\d{1,3})\]/g;

/**
 * Turns each `[n]` in the text of sanitised `html` (outside code and links) whose `n` is in
 * `indices` into a link `<a class="citation" data-cite="n" href="...">` to that source. The
 * links are built with DOM methods from numbers only: nothing of the text becomes markup.
 */
export function linkCitations(html: string, indices: ReadonlySet<number>, hrefFor: (index: number) => string): string {
  if (indices.size === 0 || !html.includes("[")) return html;
  const template = document.createElement("template");
  template.innerHTML = html;
  const walker = document.createTreeWalker(template.content, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    if (node instanceof Text && !node.parentElement?.closest("pre, code, a")) texts.push(node);
  }
  for (const node of texts) {
    const text = node.data;
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(CITATION)) {
      const index = Number(match[1]);
      if (!indices.has(index)) continue;
      fragment.append(text.slice(last, match.index));
      const link = document.createElement("a");
      link.className = "citation";
      link.href = hrefFor(index);
      link.dataset["cite"] = String(index);
      link.textContent = "[" + String(index) + "]";
      fragment.append(link);
      last = match.index + match[0].length;
    }
    if (last === 0) continue;
    fragment.append(text.slice(last));
    node.replaceWith(fragment);
  }
  return template.innerHTML;
}
