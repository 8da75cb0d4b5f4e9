import type { FileKind } from "../../api/types.gen";
import type { Translate } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";

/** A size in bytes as B, kB or MB (decimal units) for the UI's language. */
export function formatSize(bytes: number | bigint, locale: string): string {
  const n = Number(bytes);
  const format = (value: number, unit: string, digits: number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value) + " " + unit;
  if (n < 1000) return format(n, "B", 0);
  if (n < 1_000_000) return format(n / 1000, "kB", 1);
  return format(n / 1_000_000, "MB", 1);
}

const KINDS: Record<FileKind, MessageKey> = {
  pdf: "knowledge.kind.pdf",
  docx: "knowledge.kind.docx",
  markdown: "knowledge.kind.markdown",
  text: "knowledge.kind.text",
};

export function kindLabel(kind: FileKind | null, t: Translate): string {
  return t(kind === null ? "knowledge.kind.unknown" : KINDS[kind]);
}

/** "report.pdf, p. 3" (the page of a PDF, when there is one). */
export function placeLabel(fileName: string, page: number | null, t: Translate): string {
  return page === null ? fileName : t("knowledge.filePage", { name: fileName, page });
}
