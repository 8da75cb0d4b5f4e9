import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  onClose: () => void;
  className?: string;
  label: string;
  /** `menu` (items with role `menuitem`) or `dialog` (a small panel of ordinary controls). */
  role?: "menu" | "dialog";
  children: ReactNode;
}

/**
 * A small panel under (or above) its opener: takes focus when it opens, closes on Escape and
 * on a click outside; in a menu, arrow keys move between the items.
 */
export function Popover({ onClose, className, label, role = "menu", children }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });
  useEffect(() => {
    const panel = ref.current;
    panel?.querySelector<HTMLElement>("button, select, input")?.focus();
    const onPointer = (event: PointerEvent) => {
      const target = event.target;
      if (panel === null || !(target instanceof Element) || panel.contains(target)) return;
      // The opener toggles the menu itself.
      if (target.closest("[aria-expanded='true']") !== null) return;
      onCloseRef.current();
    };
    document.addEventListener("pointerdown", onPointer, true);
    return () => document.removeEventListener("pointerdown", onPointer, true);
  }, []);
  return (
    <div
      ref={ref}
      role={role}
      aria-label={label}
      className={"popover " + (className ?? "")}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          // Back to the button that opened the panel (its sibling).
          ref.current?.parentElement?.querySelector<HTMLElement>("[aria-haspopup]")?.focus();
          onClose();
          return;
        }
        if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
        const items = Array.from(ref.current?.querySelectorAll<HTMLElement>("[role=menuitem], [role=menuitemradio]") ?? []);
        if (items.length === 0) return;
        event.preventDefault();
        const index = items.indexOf(document.activeElement as HTMLElement);
        const next = event.key === "ArrowDown" ? (index + 1) % items.length : (index - 1 + items.length) % items.length;
        items[next]?.focus();
      }}
    >
      {children}
    </div>
  );
}
