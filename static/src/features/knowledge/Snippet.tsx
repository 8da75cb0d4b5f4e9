/**
 * A search snippet: the API marks matched words as `**word**`. The parts become text nodes and
 * `<strong>` elements (never HTML), so whatever a file contains is shown as text.
 */
export function snippetParts(snippet: string): { text: string; bold: boolean }[] {
  return snippet
    .split("**")
    .map((text, index) => ({ text, bold: index % 2 === 1 }))
    .filter((part) => part.text !== "");
}

export function Snippet({ text }: { text: string }) {
  return (
    <span className="snippet">
      {snippetParts(text).map((part, index) => (part.bold ? <strong key={index}>{part.text}</strong> : <span key={index}>{part.text}</span>))}
    </span>
  );
}

/** The snippet without its marks (a tooltip). */
export function plainSnippet(snippet: string): string {
  return snippet.split("**").join("");
}
