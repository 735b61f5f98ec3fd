// One thing fetched from the backend: its latest value, the error of the latest attempt,
// and whether a fetch is under way. A newer load() makes older answers count for nothing,
// so switching quickly between users never shows the previous user's rows.

import { app } from "./app-state.svelte";

export class Loader<T> {
  /** Null until the first successful load (and after reset). */
  value = $state<T | null>(null);
  /** The latest failure; the previous value stays shown under it. */
  error = $state<string | null>(null);
  loading = $state(false);
  #generation = 0;
  readonly #fetch: () => Promise<T>;

  constructor(fetch: () => Promise<T>) {
    this.#fetch = fetch;
  }

  /** Forgets the value (e.g. another user is shown) and loads again. */
  reset(): Promise<void> {
    this.value = null;
    return this.load();
  }

  async load(): Promise<void> {
    const mine = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const result = await this.#fetch();
      if (mine === this.#generation) this.value = result;
    } catch (failure) {
      if (mine === this.#generation) this.error = app.handle(failure).message;
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }
}
