// Password strength with zxcvbn-ts, loaded on first use (its dictionaries are large) so the
// sign-in screen starts fast. The server has the last word; these rules mirror its own:
// 8–128 characters and a zxcvbn score of at least 2.

import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from "./generated/limits";

export { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS };
export const PASSWORD_MIN_SCORE = 2;

export type Score = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  /** zxcvbn's score, 0 (too guessable) to 4 (very unguessable). */
  score: Score;
  /** "Very weak" … "Very strong", or "" for an empty password. */
  label: string;
  warning: string | null;
  suggestions: string[];
  /** The estimator has loaded (or failed to load: then only the length counts). */
  ready: boolean;
}

const LABELS = ["Very weak", "Weak", "Fair", "Strong", "Very strong"] as const;

let factory = $state.raw<ZxcvbnFactory | null>(null);
let failed = $state(false);
let loading: Promise<void> | null = null;

/** Starts loading the estimator; safe to call many times. */
export function preloadStrength(): Promise<void> {
  loading ??= (async () => {
    try {
      const [core, common, en] = await Promise.all([
        import("@zxcvbn-ts/core"),
        import("@zxcvbn-ts/language-common"),
        import("@zxcvbn-ts/language-en"),
      ]);
      factory = new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      });
    } catch (error) {
      console.error("The password strength estimator did not load", error);
      failed = true;
    }
  })();
  return loading;
}

/** Measures `password`, counting the user's own email and name as guessable. */
export function measurePassword(password: string, userInputs: string[] = []): Strength {
  if (factory === null) {
    void preloadStrength();
    return { score: 0, label: "", warning: null, suggestions: [], ready: failed };
  }
  if (password === "") return { score: 0, label: "", warning: null, suggestions: [], ready: true };
  const inputs = userInputs.flatMap((input) => [input, ...input.split(/[@.\s_+-]+/)]).filter((part) => part.length > 2);
  const result = factory.check(password.slice(0, PASSWORD_MAX_CHARS), inputs);
  return {
    score: result.score,
    label: LABELS[result.score],
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
    ready: true,
  };
}

/** Why `password` would be refused, or null when it is acceptable. */
export function passwordProblem(password: string, strength: Strength): string | null {
  const chars = [...password].length;
  if (chars < PASSWORD_MIN_CHARS) return `Use at least ${PASSWORD_MIN_CHARS} characters.`;
  if (chars > PASSWORD_MAX_CHARS) return `Use at most ${PASSWORD_MAX_CHARS} characters.`;
  if (!strength.ready) return "Checking strength…";
  if (factory !== null && strength.score < PASSWORD_MIN_SCORE) return "Choose a harder-to-guess password (at least Fair).";
  return null;
}
