// The colour theme: follow the system (prefers-color-scheme) or force light or dark.
// The choice is kept in localStorage; the resolved theme ("light" or "dark") is always
// set as `data-theme` on <html>, so the CSS defines each palette once.

export type ThemeChoice = "system" | "light" | "dark";

const STORAGE_KEY = "gatehouse.theme";

function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === "system" || value === "light" || value === "dark";
}

function readChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return isThemeChoice(stored) ? stored : "system";
  } catch {
    return "system";
  }
}

const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

function apply(choice: ThemeChoice): void {
  const dark = choice === "dark" || (choice === "system" && systemDark.matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

const initial = readChoice();
let choice = $state<ThemeChoice>(initial);
apply(initial);
// Following the system: switch when the system does.
systemDark.addEventListener("change", () => apply(choice));

export const theme = {
  get choice(): ThemeChoice {
    return choice;
  },
  set(next: ThemeChoice): void {
    choice = next;
    apply(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode or storage full: the choice still holds for this run.
    }
  },
};
