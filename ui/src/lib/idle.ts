// The idle lock: calls `onIdle` once after `minutes` without pointer, keyboard, wheel or
// touch activity. Activity only records a time stamp; a single timer re-arms itself for
// the remaining time, so the check is cheap and survives the machine sleeping.

const ACTIVITY_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart"] as const;

/** Starts watching; returns a function that stops it. */
export function startIdleLock(minutes: number, onIdle: () => void): () => void {
  const limit = minutes * 60_000;
  let lastActivity = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const onActivity = () => {
    lastActivity = Date.now();
  };

  const check = () => {
    if (stopped) return;
    const idleFor = Date.now() - lastActivity;
    if (idleFor >= limit) {
      stop();
      onIdle();
    } else {
      clearTimeout(timer);
      timer = setTimeout(check, limit - idleFor);
    }
  };

  const onVisibility = () => {
    if (document.visibilityState === "visible") check();
  };

  function stop() {
    stopped = true;
    clearTimeout(timer);
    for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity, true);
    document.removeEventListener("visibilitychange", onVisibility);
  }

  for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { capture: true, passive: true });
  document.addEventListener("visibilitychange", onVisibility);
  timer = setTimeout(check, limit);
  return stop;
}
