import { useId, useMemo } from "react";
import { useI18n } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";
import { ChartFigure } from "./Chart";
import { stats } from "./api";
import { formatCount, formatDay } from "./format";
import { ErrorNotice } from "./Notice";
import { useLoad } from "./useLoad";

/** Statistics (A4): accounts, conversations, messages, and messages per day as a chart. */
export function StatsTab() {
  const { t, locale } = useI18n();
  const id = useId();
  const loaded = useLoad(stats, "stats");
  const data = loaded.data;
  const count = useMemo(() => (value: number) => formatCount(Math.round(value), locale), [locale]);
  const perDay = useMemo(
    () => ({
      labels: (data?.messages_per_day ?? []).map((d) => formatDay(d.day, locale)),
      values: (data?.messages_per_day ?? []).map((d) => d.count),
    }),
    [data, locale],
  );
  const figures: [MessageKey, number | null][] = data
    ? [
        ["admin.stats.users", data.users.total],
        ["admin.stats.activeUsers", data.users.active],
        ["admin.stats.admins", data.users.admins],
        ["admin.stats.active7", data.users.active_last_7_days],
        ["admin.stats.active30", data.users.active_last_30_days],
        ["admin.stats.chats", data.chats],
        ["admin.stats.messages", data.messages],
        ["admin.stats.assistants", data.assistants],
        ["admin.stats.templates", data.templates],
      ]
    : [];
  return (
    <section aria-labelledby={id + "title"}>
      <div className="admin-section-head">
        <h2 id={id + "title"}>{t("admin.tab.stats")}</h2>
      </div>
      <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
      {data === null ? (
        loaded.error === null && <p className="muted">{t("admin.loading")}</p>
      ) : (
        <>
          <dl className="kpis" data-testid="stats-figures">
            {figures
              // Counts of features the hub does not have yet are left out, not shown as 0.
              .filter(([, value]) => value !== null)
              .map(([key, value]) => (
                <div key={key}>
                  <dt>{t(key)}</dt>
                  <dd>{formatCount(value ?? 0, locale)}</dd>
                </div>
              ))}
          </dl>
          <div className="chart-grid single">
            <ChartFigure title={t("admin.stats.messagesPerDay")} kind="line" labels={perDay.labels} values={perDay.values} format={count} integer testId="chart-messages-day" />
          </div>
        </>
      )}
    </section>
  );
}
