import { useEffect, useId, useRef, useState } from "react";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { useI18n } from "../../i18n/I18n";
import { useTheme } from "../../lib/theme";

// Only what the console draws: bars and lines on category/linear scales (tree-shaken).
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip);

interface Props {
  title: string;
  kind: "bar" | "line";
  labels: string[];
  values: number[];
  /** How a value reads (money, counts). */
  format: (value: number) => string;
  /** Bars along the vertical axis: for long category names (models, users). */
  horizontal?: boolean;
  /** Whole numbers only (counts): no ticks at fractions. */
  integer?: boolean;
  testId?: string;
}

/** Re-renders when the colours change: the theme choice or, under "system", the OS scheme. */
function useSchemeKey(): string {
  const { theme } = useTheme();
  const [dark, setDark] = useState(() => matchMedia("(prefers-color-scheme: dark)").matches);
  useEffect(() => {
    const query = matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => setDark(query.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return theme + (dark ? ":dark" : ":light");
}

/**
 * A chart on a canvas (Chart.js; no inline script, no injected style sheet), with its numbers
 * as a table for screen readers and for anyone who would rather read them.
 */
export function ChartFigure({ title, kind, labels, values, format, horizontal = false, integer = false, testId }: Props) {
  const { t } = useI18n();
  const id = useId();
  const canvas = useRef<HTMLCanvasElement>(null);
  // Hidden swatches whose computed colours are the theme's (CSS light-dark()).
  const ink = useRef<HTMLSpanElement>(null);
  const accent = useRef<HTMLSpanElement>(null);
  const grid = useRef<HTMLSpanElement>(null);
  const scheme = useSchemeKey();

  useEffect(() => {
    const element = canvas.current;
    if (element === null || ink.current === null || accent.current === null || grid.current === null) return;
    const text = getComputedStyle(ink.current).color;
    const fill = getComputedStyle(accent.current).color;
    const line = getComputedStyle(grid.current).color;
    const valueAxis = horizontal ? "x" : "y";
    const valueTicks = { color: text, callback: (v: string | number) => format(Number(v)), ...(integer ? { precision: 0 } : {}) };
    const config: ChartConfiguration<"bar" | "line", number[], string> = {
      type: kind,
      data: {
        labels,
        datasets: [
          {
            label: title,
            data: values,
            backgroundColor: fill,
            borderColor: fill,
            borderWidth: kind === "line" ? 2 : 0,
            pointRadius: values.length > 40 ? 0 : 3,
            // Straight segments: a smoothed curve would overshoot below zero.
            tension: 0,
          },
        ],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          tooltip: { callbacks: { label: (item) => format(item.parsed[valueAxis] ?? 0) } },
        },
        scales: {
          x: horizontal ? { ticks: valueTicks, grid: { color: line }, beginAtZero: true } : { ticks: { color: text, maxRotation: 0, autoSkip: true }, grid: { color: line } },
          y: horizontal ? { ticks: { color: text }, grid: { color: line } } : { ticks: valueTicks, grid: { color: line }, beginAtZero: true },
        },
      },
    };
    const chart = new Chart(element, config);
    return () => chart.destroy();
  }, [kind, labels, values, format, horizontal, integer, title, scheme]);

  const height = horizontal ? Math.max(160, labels.length * 28 + 40) : 240;
  return (
    <figure className="chart" aria-labelledby={id + "title"} data-testid={testId}>
      <figcaption id={id + "title"} className="chart-title">
        {title}
      </figcaption>
      <span ref={ink} className="chart-swatch chart-swatch-ink" aria-hidden="true" />
      <span ref={accent} className="chart-swatch chart-swatch-accent" aria-hidden="true" />
      <span ref={grid} className="chart-swatch chart-swatch-grid" aria-hidden="true" />
      {labels.length === 0 ? (
        <p className="muted">{t("admin.chart.empty")}</p>
      ) : (
        <>
          <div className="chart-canvas" style={{ height }}>
            <canvas ref={canvas} role="img" aria-label={t("admin.chart.label", { title })} />
          </div>
          <details className="chart-data">
            <summary>{t("admin.chart.showTable")}</summary>
            <table className="admin-table compact">
              <tbody>
                {labels.map((label, i) => (
                  <tr key={label + String(i)}>
                    <th scope="row">{label}</th>
                    <td className="num">{format(values[i] ?? 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
