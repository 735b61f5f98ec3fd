// Small pure helpers for showing withdrawal addresses: split around a highlighted middle,
// group into chunks a person can compare, and say when a cooling address becomes usable.

import type { SavedAddressView } from "./generated/SavedAddressView";
import { formatMoment } from "./time";

/** An address cut into the part before, inside and after a [start, end) range. */
export interface AddressParts {
  head: string;
  middle: string;
  tail: string;
}

/** Splits `address` around `range` (byte offsets from the backend; addresses are ASCII). */
export function splitAt(address: string, range: readonly [number, number] | null): AddressParts {
  if (range === null) return { head: address, middle: "", tail: "" };
  const start = Math.max(0, Math.min(range[0], address.length));
  const end = Math.max(start, Math.min(range[1], address.length));
  return { head: address.slice(0, start), middle: address.slice(start, end), tail: address.slice(end) };
}

/** "bc1qar…f5mdq": the first and last `keep` characters, for tight spaces. */
export function shortAddress(address: string, keep = 6): string {
  return address.length <= keep * 2 + 1 ? address : `${address.slice(0, keep)}…${address.slice(-keep)}`;
}

/** "Shared with the team" or "Personal". */
export function scopeLabel(scope: string): string {
  return scope === "shared" ? "Shared" : "Personal";
}

/** When a saved address can be used for withdrawals, in words ("Usable", "Usable from 14:05"). */
export function usableText(address: SavedAddressView, now: number): string {
  if (address.usable || address.usableFrom <= now) return "Usable";
  return `Usable from ${formatMoment(address.usableFrom, now)}`;
}

/** "at once", "30 minutes", "24 hours", "2 days 3 hours": a cooling-off length in words. */
export function coolingOffText(minutes: number): string {
  if (minutes <= 0) return "at once";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  // Whole days read better as hours up to two days ("24 hours", "36 hours").
  if (minutes % 60 === 0 && minutes <= 2 * 1440) return plural(minutes / 60, "hour");
  return [days && plural(days, "day"), hours && plural(hours, "hour"), rest && plural(rest, "minute")]
    .filter(Boolean)
    .join(" ");
}
