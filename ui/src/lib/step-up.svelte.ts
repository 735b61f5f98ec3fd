// Step-up ("Confirm it's you"): when a sensitive action answers `auth.step_up_required`,
// backend.ts asks the handler registered here, which opens one app-wide dialog (see
// StepUpDialog, mounted by App). Confirming resolves true and backend.ts retries the action;
// cancelling resolves false and the action fails with its step-up error, which forms then
// ignore (`wasCancelled`): the form stays as it was.

import type { BackendError } from "./backend";

export interface StepUpRequest {
  /** The error that asked: its message is shown; `stepUpWith` picks the field. */
  error: BackendError;
  /** True: an authenticator or backup code; false: the password. */
  withCode: boolean;
}

class StepUpController {
  /** The open request, or null when the dialog is closed. */
  request = $state<StepUpRequest | null>(null);

  #answer: Promise<boolean> | null = null;
  #resolve: ((confirmed: boolean) => void) | null = null;
  /** Every error waiting on the open dialog (several calls may ask at once). */
  #waiting: BackendError[] = [];
  readonly #cancelled = new WeakSet<BackendError>();

  /** The handler for `setStepUpHandler`: one dialog, however many calls ask at once. */
  readonly ask = (error: BackendError): Promise<boolean> => {
    this.#waiting.push(error);
    if (this.#answer) return this.#answer;
    this.request = { error, withCode: error.stepUpWith !== "password" };
    this.#answer = new Promise<boolean>((resolve) => {
      this.#resolve = resolve;
    });
    return this.#answer;
  };

  /** Closes the dialog: true once `stepUp()` succeeded, false when cancelled. */
  finish(confirmed: boolean): void {
    const resolve = this.#resolve;
    if (!resolve) return;
    if (!confirmed) for (const error of this.#waiting) this.#cancelled.add(error);
    this.#waiting = [];
    this.#answer = null;
    this.#resolve = null;
    this.request = null;
    resolve(confirmed);
  }

  /** The person cancelled the step-up this error asked for: show nothing. */
  wasCancelled(error: unknown): boolean {
    return typeof error === "object" && error !== null && this.#cancelled.has(error as BackendError);
  }
}

export const stepUp = new StepUpController();
