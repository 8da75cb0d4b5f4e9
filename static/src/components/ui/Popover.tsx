import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  onClose: () => void;
  className?: string;
  label: string;
  children: ReactNode;
}

/**
 * A small menu panel: closes on Escape (returning focus to the opener, which the caller keeps)
 * and on a click outside; arrow keys move between its buttons.
 */
export function Popover({ onClose, className, label, children }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const panel = ref.current;
    panel?.querySelector<HTMLElement>("button, select, input")?.focus();
    const onPointer = (event: PointerEvent) => {
      const target = event.target;
      if (panel === null || !(target instanceof Element) || panel.contains(target)) return;
      // The opener toggles the menu itself.
      if (target.closest("[aria-expanded='true']") !== null) return;
      onClose();
    };
    document.addEventListener("pointerdown", onPointer, true);
    return () => document.removeEventListener("pointerdown", onPointer, true);
  }, [onClose]);
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={label}
      className={"popover " + (className ?? "")}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
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
