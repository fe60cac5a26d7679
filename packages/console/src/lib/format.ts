/** Display helpers: money in minor units, times and the time left before a deadline. */

/** Money as the API carries it: integer minor units of an ISO 4217 currency. */
export interface MoneyLike {
  amountMinor: number;
  currency: string;
}

/** Formats integer minor units of `currency` for people (`Intl.NumberFormat`, the currency's own decimals). */
export function formatMoney(money: MoneyLike | undefined | null): string {
  if (!money) return '—';
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amountMinor / 10 ** digits);
}

/** Minor units of `currency` from a decimal amount typed by a person (`12.50`), or undefined when not one. */
export function parseMinor(text: string, currency: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const digits =
    new Intl.NumberFormat('en-GB', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  const [whole = '0', fraction = ''] = trimmed.split('.');
  if (fraction.length > digits) return undefined;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** `2h 05m 09s` left until `deadline` (RFC 3339) at `now` (ms since the epoch), or `passed`. */
export function timeLeft(deadline: string, now: number): string {
  const ms = Date.parse(deadline) - now;
  if (!(ms > 0)) return 'passed';
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const sec = String(s % 60).padStart(2, '0');
  return days > 0 ? `${days}d ${h}h ${m}m` : `${h}h ${m}m ${sec}s`;
}

/** A JSON value as indented text (full action parameters). */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
