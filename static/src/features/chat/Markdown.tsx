import { memo, useMemo, type MouseEvent } from "react";
import { renderMarkdown } from "../../lib/markdown";
import { useI18n } from "../../i18n/I18n";

/** Sanitised Markdown (see lib/markdown.ts); copy buttons of code blocks work by delegation. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const { t } = useI18n();
  const copyLabel = t("chat.copyCode");
  const copiedLabel = t("chat.copied");
  const html = useMemo(() => renderMarkdown(text, copyLabel), [text, copyLabel]);
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const button = target.closest<HTMLButtonElement>("button[data-copy-code]");
    if (button === null) return;
    const code = button.closest(".code-block")?.querySelector("code")?.textContent ?? "";
    void navigator.clipboard.writeText(code).then(
      () => {
        button.textContent = copiedLabel;
        window.setTimeout(() => {
          button.textContent = copyLabel;
        }, 1500);
      },
      () => undefined,
    );
  };
  // The HTML is sanitised by DOMPurify with raw HTML escaped beforehand.
  return <div className="markdown" onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
});
