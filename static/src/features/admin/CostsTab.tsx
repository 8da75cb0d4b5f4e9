import { useId, useMemo, useState } from "react";
import type { CostGroup, CostPeriod } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { Icon } from "../../components/ui/Icon";
import { ChartFigure } from "./Chart";
import { costs, costsCsv, saveBlob, type CostQuery } from "./api";
import { formatAmount, formatCount, formatDay, formatMoney } from "./format";
import { ErrorNotice } from "./Notice";
import { useLoad } from "./useLoad";

const PERIODS: CostPeriod[] = ["day", "week", "month", "custom"];

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The chart series of a breakdown: labels and amounts (numbers only for drawing). */
function series(groups: CostGroup[], label: (g: CostGroup) => string): { labels: string[]; values: number[] } {
  return { labels: groups.map(label), values: groups.map((g) => Number(g.cost.amount)) };
}

/** Costs (A3): a period's totals, charts by day, model and user, tables, CSV. */
export function CostsTab() {
  const { t, locale } = useI18n();
  const id = useId();
  const today = new Date();
  const [filter, setFilter] = useState<CostQuery>({
    period: "month",
    from: isoDay(new Date(today.getTime() - 29 * 86_400_000)),
    until: isoDay(new Date(today.getTime() + 86_400_000)),
  });
  const report = useLoad(() => costs(filter), JSON.stringify(filter));
  const [csvError, setCsvError] = useState<unknown>(null);
  const data = report.data;
  const currency = data?.total.cost.currency ?? "USD";
  const money = useMemo(() => (value: number) => formatAmount(value, currency, locale), [currency, locale]);
  const deletedUser = t("admin.costs.deletedUsers");
  const byDay = useMemo(() => series(data?.by_day ?? [], (g) => formatDay(g.key ?? "", locale)), [data, locale]);
  const byModel = useMemo(() => series(data?.by_model ?? [], (g) => g.label ?? g.key ?? "–"), [data]);
  const byUser = useMemo(() => series((data?.by_user ?? []).slice(0, 10), (g) => g.label ?? deletedUser), [data, deletedUser]);

  const download = async () => {
    setCsvError(null);
    try {
      const name = filter.period === "custom" ? `costs-${filter.from}-${filter.until}.csv` : `costs-${filter.period}.csv`;
      saveBlob(await costsCsv(filter), name);
    } catch (err) {
      setCsvError(err);
    }
  };

  const table = (title: string, groups: CostGroup[], fallback: string, testId: string) => (
    groups.length === 0 ? null : <div className="admin-table-wrap">
      <table className="admin-table" data-testid={testId}>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t("admin.costs.name")}</th>
            <th scope="col" className="num">{t("admin.costs.requests")}</th>
            <th scope="col" className="num wide-only">{t("admin.costs.inputTokens")}</th>
            <th scope="col" className="num wide-only">{t("admin.costs.outputTokens")}</th>
            <th scope="col" className="num">{t("admin.costs.cost")}</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.key ?? "null"}>
              <th scope="row">{g.label ?? g.key ?? fallback}</th>
              <td className="num">{formatCount(g.requests, locale)}</td>
              <td className="num wide-only">{formatCount(g.input_tokens, locale)}</td>
              <td className="num wide-only">{formatCount(g.output_tokens, locale)}</td>
              <td className="num">{formatMoney(g.cost, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

  return (
    <section aria-labelledby={id + "title"}>
      <div className="admin-section-head">
        <h2 id={id + "title"}>{t("admin.tab.costs")}</h2>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void download()} data-testid="costs-csv">
          <Icon name="download" /> {t("admin.csv")}
        </button>
      </div>
      <div className="admin-toolbar">
        <div className="segmented" role="radiogroup" aria-label={t("admin.costs.period")}>
          {PERIODS.map((period) => (
            <button
              key={period}
              type="button"
              role="radio"
              aria-checked={filter.period === period}
              className={filter.period === period ? "segment active" : "segment"}
              onClick={() => setFilter((f) => ({ ...f, period }))}
            >
              {t(`admin.costs.period.${period}`)}
            </button>
          ))}
        </div>
        {filter.period === "custom" && (
          <>
            <label>
              <span>{t("admin.costs.from")}</span>
              <input type="date" value={filter.from} max={filter.until} onChange={(e) => setFilter((f) => ({ ...f, from: e.target.value }))} />
            </label>
            <label>
              <span>{t("admin.costs.until")}</span>
              <input type="date" value={filter.until} min={filter.from} onChange={(e) => setFilter((f) => ({ ...f, until: e.target.value }))} />
            </label>
          </>
        )}
      </div>
      <ErrorNotice error={csvError} />
      <ErrorNotice error={report.error} onRetry={report.reload} />
      {data === null ? (
        report.error === null && <p className="muted">{t("admin.loading")}</p>
      ) : (
        <>
          <dl className="kpis" data-testid="costs-totals">
            <div>
              <dt>{t("admin.costs.total")}</dt>
              <dd>{formatMoney(data.total.cost, locale)}</dd>
            </div>
            <div>
              <dt>{t("admin.costs.requests")}</dt>
              <dd>{formatCount(data.total.requests, locale)}</dd>
            </div>
            <div>
              <dt>{t("admin.costs.inputTokens")}</dt>
              <dd>{formatCount(data.total.input_tokens, locale)}</dd>
            </div>
            <div>
              <dt>{t("admin.costs.outputTokens")}</dt>
              <dd>{formatCount(data.total.output_tokens, locale)}</dd>
            </div>
          </dl>
          <p className="muted small">
            {t("admin.costs.range", { from: new Date(data.from).toLocaleString(locale), until: new Date(data.until).toLocaleString(locale) })}
          </p>
          <div className="chart-grid">
            <ChartFigure title={t("admin.costs.perDay")} kind="bar" labels={byDay.labels} values={byDay.values} format={money} testId="chart-cost-day" />
            <ChartFigure title={t("admin.costs.byModel")} kind="bar" horizontal labels={byModel.labels} values={byModel.values} format={money} testId="chart-cost-model" />
            <ChartFigure title={t("admin.costs.byUserTop")} kind="bar" horizontal labels={byUser.labels} values={byUser.values} format={money} testId="chart-cost-user" />
          </div>
          {table(t("admin.costs.byUser"), data.by_user, deletedUser, "costs-by-user")}
          {table(t("admin.costs.byModel"), data.by_model, "–", "costs-by-model")}
          {table(t("admin.costs.byProvider"), data.by_provider, "–", "costs-by-provider")}
        </>
      )}
    </section>
  );
}
