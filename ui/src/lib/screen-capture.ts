// Keeps the window out of screenshots and screen sharing while secrets are on screen (the
// authenticator key, backup codes). Components hold the protection while they are shown;
// it is lifted when the last holder lets go, so nested holders don't end it early.

import { setScreenCaptureProtection } from "./backend";

let holders = 0;

function apply(isProtected: boolean): void {
  setScreenCaptureProtection(isProtected).catch((failure: unknown) => {
    // Best effort (Linux has no such facility): never get in the way of the secret itself.
    console.warn("Could not change screen-capture protection", failure);
  });
}

/** Protects the window until the returned function is called (call it on destroy). */
export function protectScreen(): () => void {
  holders += 1;
  if (holders === 1) apply(true);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0) apply(false);
  };
}
