// Where the app stands (first run, signed out, signed in, locked) and the one rule for
// errors: a call that finds the session gone goes back to sign-in, a call that finds it
// locked shows the lock screen; everything else is shown where it happened.

import { appState, asBackendError, type BackendError, type AppState } from "./backend";

class AppController {
  /** Null until the first `appState()` answers. */
  state = $state<AppState | null>(null);
  /** The last failure to learn the state (start-up, or after a session error). */
  error = $state<BackendError | null>(null);
  refreshing = $state(false);

  /** Asks the backend where the app stands. */
  async refresh(): Promise<void> {
    this.refreshing = true;
    try {
      this.state = await appState();
      this.error = null;
    } catch (error) {
      this.error = asBackendError(error);
    } finally {
      this.refreshing = false;
    }
  }

  /** Adopts a state a call returned (sign-in, lock, unlock, sign-out…). */
  set(state: AppState): void {
    this.state = state;
    this.error = null;
  }

  /**
   * Turns anything thrown into a BackendError and, when it means the session is gone or
   * locked, moves the app to the sign-in or lock screen. Returns the error to show.
   */
  handle(error: unknown): BackendError {
    const failure = asBackendError(error);
    if (failure.needsSignIn || failure.isLocked) void this.refresh();
    return failure;
  }
}

export const app = new AppController();
