// Pages keep themselves current: the shell says which topics changed elsewhere (another
// instance, another user, the CLI; every topic after a reconnect), and each list reloads
// in place when one of its topics is among them.

import { onDataChanged } from "./backend";

/** What a page shows, as the shell names it in `data-changed`. */
export type Topic = "sessions" | "devices" | "activity" | "addresses" | "withdrawals" | "users" | "notices";

/**
 * Runs `reload` whenever one of `topics` changed elsewhere (once per event, however many
 * match). Returns a stop function, so `$effect(() => whenChanged(...))` stops on unmount.
 */
export function whenChanged(topics: Topic[], reload: () => void): () => void {
  return onDataChanged((changed) => {
    if (topics.some((topic) => changed.includes(topic))) reload();
  });
}
