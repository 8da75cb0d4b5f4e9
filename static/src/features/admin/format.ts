/** Number, money and date formats of the console, for the UI's language. */
import type { Money } from "../../api/types.gen";

export function formatMoney(money: Money, locale: string): string {
  const amount = Number(money.amount);
  if (!Number.isFinite(amount)) return money.amount + " " + money.currency;
  return formatAmount(amount, money.currency, locale);
}

/** An amount of `currency`; more decimals for small amounts, where cents would round to zero. */
export function formatAmount(amount: number, currency: string, locale: string): string {
  const size = Math.abs(amount);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: amount === 0 || size >= 1 ? 2 : size >= 0.01 ? 4 : 6,
  }).format(amount);
}

export function formatCount(value: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

export function formatDateTime(value: string | null, locale: string): string {
  if (value === null) return "–";
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** A calendar day (`YYYY-MM-DD` or a timestamp) as a short date. */
export function formatDay(value: string, locale: string): string {
  const date = new Date(value.length === 10 ? value + "T00:00:00Z" : value);
  return Number.isNaN(date.getTime())
    ? value
    : new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(date);
}
