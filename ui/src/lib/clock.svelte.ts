// A shared, slowly ticking "now" so relative times ("5 minutes ago") stay true while a page
// is open, without each component running its own timer.

const TICK_MS = 20_000;

let now = $state(Date.now());
setInterval(() => {
  now = Date.now();
}, TICK_MS);

export const clock = {
  /** The current time (ms), updated every few seconds. */
  get now(): number {
    return now;
  },
};
