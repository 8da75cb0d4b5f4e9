import type { UsageTotals } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";

/** Tokens, cost and requests of the current month (U5). */
export function UsageWidget({ usage, failed }: { usage: UsageTotals | null; failed: boolean }) {
  const { t, locale } = useI18n();
  const number = new Intl.NumberFormat(locale);
  const compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  let cost = "–";
  if (usage) {
    const amount = Number(usage.cost.amount);
    cost = Number.isFinite(amount)
      ? new Intl.NumberFormat(locale, {
          style: "currency",
          currency: usage.cost.currency,
          minimumFractionDigits: 2,
          maximumFractionDigits: amount !== 0 && Math.abs(amount) < 1 ? 4 : 2,
        }).format(amount)
      : usage.cost.amount + " " + usage.cost.currency;
  }
  const tokens = usage ? usage.input_tokens + usage.output_tokens : null;
  return (
    <section className="usage" aria-labelledby="usage-title" aria-live="polite" data-testid="usage">
      <h2 id="usage-title" className="usage-title">
        {t("usage.title")}
      </h2>
      {failed && !usage ? (
        <p className="usage-unavailable">{t("usage.unavailable")}</p>
      ) : (
        <dl className="usage-grid">
          <div>
            <dt>{t("usage.tokens")}</dt>
            <dd
              title={usage ? t("usage.tokensDetail", { input: number.format(usage.input_tokens), output: number.format(usage.output_tokens) }) : undefined}
              data-testid="usage-tokens"
            >
              {tokens === null ? "–" : compact.format(tokens)}
            </dd>
          </div>
          <div>
            <dt>{t("usage.cost")}</dt>
            <dd data-testid="usage-cost">{cost}</dd>
          </div>
          <div>
            <dt>{t("usage.requests")}</dt>
            <dd data-testid="usage-requests">{usage ? number.format(usage.requests) : "–"}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
