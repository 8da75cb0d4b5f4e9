import { memo, useMemo, type MouseEvent } from "react";
import { linkCitations, renderMarkdown } from "../../lib/markdown";
import { useI18n } from "../../i18n/I18n";

interface Citations {
  /** The numbers of the answer's sources: `[n]` in the text links to source `n`. */
  indices: ReadonlySet<number>;
  hrefFor: (index: number) => string;
  onCite: (index: number) => void;
}

/**
 * Sanitised Markdown (see lib/markdown.ts); copy buttons of code blocks and citation links work
 * by delegation.
 */
export const Markdown = memo(function Markdown({ text, citations }: { text: string; citations?: Citations | undefined }) {
  const { t } = useI18n();
  const copyLabel = t("chat.copyCode");
  const copiedLabel = t("chat.copied");
  const indices = citations?.indices;
  const hrefFor = citations?.hrefFor;
  const html = useMemo(() => {
    const rendered = renderMarkdown(text, copyLabel);
    return indices && hrefFor ? linkCitations(rendered, indices, hrefFor) : rendered;
  }, [text, copyLabel, indices, hrefFor]);
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const cite = target.closest<HTMLElement>("a[data-cite]");
    if (cite !== null && citations) {
      event.preventDefault();
      citations.onCite(Number(cite.dataset["cite"]));
      return;
    }
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
