// The colour theme: follow the system (prefers-color-scheme) or force light or dark.
// The choice is kept in localStorage and applied as `data-theme` on <html>.

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

function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === "system") delete root.dataset.theme;
  else root.dataset.theme = choice;
}

const initial = readChoice();
let choice = $state<ThemeChoice>(initial);
apply(initial);

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
