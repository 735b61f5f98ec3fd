// Where the app stands (first run, signed out, waiting for a two-factor code, enrolment
// required, signed in, locked) and the one rule for errors: a call that finds the session
// gone goes back to sign-in, a call that finds it locked shows the lock screen, a call
// refused until two-factor authentication is set up shows the enrolment screen; a step-up
// the person cancelled shows nothing; everything else is shown where it happened.

import { appState, asBackendError, type BackendError, type AppState } from "./backend";
import { stepUp } from "./step-up.svelte";

/** What one screen hands the next, e.g. why the sign-in starts again, and for whom. */
export interface Carried {
  message: string;
  email?: string;
}

class AppController {
  /** Null until the first `appState()` answers. */
  state = $state<AppState | null>(null);
  /** The last failure to learn the state (start-up, or after a session error). */
  error = $state<BackendError | null>(null);
  refreshing = $state(false);
  /**
   * A message for the next screen, e.g. why the sign-in starts again. Reactive: a session
   * ended elsewhere is told by an event that may come after a failed call already showed
   * the sign-in screen, which then picks the message up late.
   */
  #carried = $state<Carried | null>(null);

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

  /** Keeps a message for the screen the app moves to next (read once with `takeCarried`). */
  carry(carried: Carried): void {
    this.#carried = carried;
  }

  /** What the previous screen carried over, if anything; it is then forgotten. */
  takeCarried(): Carried | null {
    const message = this.#carried;
    this.#carried = null;
    return message;
  }

  /**
   * Turns anything thrown into a BackendError and, when it means the session is gone or
   * locked or two-factor authentication must be set up first, moves the app to the
   * sign-in, lock or enrolment screen. Returns the error to show.
   */
  handle(error: unknown): BackendError {
    const failure = asBackendError(error);
    // The sign-in screen says why this session ended.
    if (failure.code === "session.ended_after_wrong_answers") this.carry({ message: failure.message });
    const obligation = failure.code === "2fa.enrollment_required" || failure.code === "password.change_required";
    if (failure.needsSignIn || failure.isLocked || obligation) void this.refresh();
    return failure;
  }

  /**
   * Like `handle`, but gives the message to show: null when the person cancelled the
   * "Confirm it's you" step-up the call asked for (the form simply stays as it was).
   */
  message(error: unknown): string | null {
    return this.messageOf(this.handle(error));
  }

  /** The message to show for an error `handle` already returned (null: a cancelled step-up). */
  messageOf(failure: BackendError): string | null {
    return stepUp.wasCancelled(failure) ? null : failure.message;
  }
}

export const app = new AppController();
