// The security checkup in words: for each check the backend returns, what stands (a title),
// why it matters (one line) and the one action that fixes it. Every number comes from the
// check itself or from the backend's thresholds, never from here. A check this UI doesn't
// know yet (a newer backend) still gets a title, its status and its items.

import type { CheckItemView, CheckView, ThresholdsView } from "../lib/backend";
import type { Destination } from "../lib/navigation";
import { formatRelative } from "../lib/time";

/** How a check stands, as the UI shows it (anything unknown that isn't ok needs attention). */
export type Status = "ok" | "needs_attention" | "at_risk";

export function statusOf(check: CheckView): Status {
  if (check.status === "ok" || check.status === "at_risk") return check.status;
  return "needs_attention";
}

/** Worst first: at risk, then needs attention (the backend's order otherwise). */
export function byUrgency(checks: CheckView[]): CheckView[] {
  const rank = (check: CheckView) => (statusOf(check) === "at_risk" ? 0 : 1);
  return [...checks].sort((a, b) => rank(a) - rank(b));
}

/** The one action that fixes a check. */
export type Fix =
  /** Opens a page (at the flow that fixes it, where there is one). */
  | { kind: "open"; label: string; to: Destination }
  /** Ends your sessions left idle (the backend decides which). */
  | { kind: "end-stale-sessions"; label: string }
  /** Removes the devices listed. */
  | { kind: "remove-devices"; label: string }
  /** Turns on the policy's "require two-factor authentication". */
  | { kind: "require-two-factor"; label: string };

/** What each listed item offers, besides being read. */
export type ItemAction =
  /** "It was me" / "This wasn't me" (flagged sign-ins). */
  | "review"
  /** Opens that user's page (admins). */
  | "open-user"
  | null;

export interface Wording {
  title: string;
  /** One line: why it matters (or, for information, what it found). */
  why: string;
  /** A command to run, shown as code under the why line. */
  command: string | null;
  /** Whether the items are listed (some checks' items only feed the words). */
  listItems: boolean;
  /** Before an item's time: "Last active", "Requested"… (null: no time shown). */
  itemsWhen: string | null;
  itemAction: ItemAction;
  /** Null where there is nothing to press (fine already, per-item actions, information). */
  fix: Fix | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** "1 session", "3 sessions". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

/**
 * "1 session hasn't", "3 sessions haven't" — a count and its verb. `count` may be words
 * ("more than 20": the backend stops counting one past the items it lists).
 */
function counted(count: number | string, one: string, many: string, verbOne: string, verbMany: string): string {
  if (typeof count === "string") return `${count} ${many} ${verbMany}`;
  return `${plural(count, one, many)} ${count === 1 ? verbOne : verbMany}`;
}

/** A list check's count: "more than 20" when the backend found more than it lists. */
function howMany(check: CheckView): number | string {
  const listed = check.items.length;
  return listed > 0 && check.count > listed ? `more than ${listed}` : check.count;
}

/** "team_geoip" → "Team geoip"; "session_idle_minutes" → "Session idle minutes". */
export function humanize(name: string): string {
  const words = name.replace(/[_.]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function base(title: string, why: string): Wording {
  return { title, why, command: null, listItems: false, itemsWhen: null, itemAction: null, fix: null };
}

/** Words and the fix for one check; `now` (ms) for ages and relative times. */
export function wording(check: CheckView, t: ThresholdsView, now: number): Wording {
  const status = statusOf(check);
  const ok = status === "ok";
  const n = check.count;

  switch (check.id) {
    case "two_factor": {
      const fix: Fix = {
        kind: "open",
        label: "Turn on two-factor authentication",
        to: { page: "security", flow: "enroll-two-factor" },
      };
      if (ok)
        return base(
          "Two-factor authentication is on",
          "A stolen password alone can't open your account: signing in also needs a code from your phone.",
        );
      if (status === "needs_attention")
        return {
          ...base(
            "Your organisation requires two-factor authentication",
            "Set it up now: until then, your password alone opens your account.",
          ),
          fix,
        };
      return {
        ...base(
          "Two-factor authentication is off",
          "Anyone who learns your password can sign in as you. With it on, signing in also needs a code from your phone.",
        ),
        fix,
      };
    }

    case "backup_codes": {
      const fix: Fix = {
        kind: "open",
        label: "Make new backup codes",
        to: { page: "security", flow: "new-backup-codes" },
      };
      if (ok)
        return base(
          `${plural(n, "backup code")} left`,
          `Each one signs you in once if you can't use your phone. You'll be asked to make new ones at ${t.backupCodesLow} or fewer.`,
        );
      if (n === 0)
        return {
          ...base(
            "No backup codes left",
            "If you lose your phone, nothing else signs you in. Make a new set now and keep it somewhere safe.",
          ),
          fix,
        };
      return {
        ...base(
          `Only ${plural(n, "backup code")} left`,
          `A backup code signs you in if you lose your phone. With ${t.backupCodesLow} or fewer left, make a new set (the old codes stop working).`,
        ),
        fix,
      };
    }

    case "password": {
      const fix: Fix = { kind: "open", label: "Change password", to: { page: "account", flow: "change-password" } };
      const changed = check.items[0]?.at ?? null;
      const since = changed === null ? null : `Changed ${formatRelative(changed, now)}.`;
      if (ok)
        return base(
          "Your password is in good shape",
          [since, `Gatehouse suggests a new one once it is ${t.passwordOldDays} days old.`].filter(Boolean).join(" "),
        );
      const old = changed !== null && now - changed > t.passwordOldDays * DAY_MS;
      // The score is 0 when none was recorded (older passwords): then only age can be the reason.
      const weak = !old || (n > 0 && n < t.passwordGoodScore);
      const title =
        weak && old
          ? `Your password is easy to guess and over ${t.passwordOldDays} days old`
          : weak
            ? "Your password is easy to guess"
            : `Your password is over ${t.passwordOldDays} days old`;
      const why = weak
        ? `When you set it, it scored ${n} out of 4 for strength; choose one that scores ${t.passwordGoodScore} or more, and that you use nowhere else.`
        : `${since ?? ""} The longer a password is used, the more chances it has had to leak. Choose one you use nowhere else.`.trim();
      return { ...base(title, why), fix };
    }

    case "stale_sessions": {
      const days = t.staleSessionDays;
      if (ok)
        return base(
          `No session left unused for ${days} days`,
          "A forgotten session on a lost or shared computer would still open your account.",
        );
      return {
        ...base(
          `${counted(howMany(check), "session", "sessions", "hasn't", "haven't")} been used for ${days} days`,
          "A forgotten session on a lost or shared computer still opens your account. Ending one signs that device out.",
        ),
        listItems: true,
        itemsWhen: "Last active",
        fix: { kind: "end-stale-sessions", label: n === 1 ? "End this session" : "End these sessions" },
      };
    }

    case "stale_devices": {
      const days = t.staleDeviceDays;
      if (ok)
        return base(
          `No device left unused for ${days} days`,
          "A device you no longer have could still sign in to your account.",
        );
      return {
        ...base(
          `${counted(howMany(check), "device", "devices", "hasn't", "haven't")} been used for ${days} days`,
          "A device you no longer have can still sign in to your account. Removing one ends its sessions; it must sign in again.",
        ),
        listItems: true,
        itemsWhen: "Last used",
        fix: { kind: "remove-devices", label: n === 1 ? "Remove this device" : "Remove these devices" },
      };
    }

    case "flagged_sign_ins": {
      const days = t.flaggedReviewDays;
      if (ok)
        return base(
          "No flagged sign-ins to review",
          `Sign-ins from a new device or place, bursts of failures and unusual travel of the last ${days} days are all reviewed.`,
        );
      return {
        ...base(
          `${plural(n, "flagged sign-in")} to review`,
          `From the last ${days} days: a new device or place, a burst of failures or unusual travel. Tell Gatehouse whether each one was you.`,
        ),
        listItems: true,
        itemAction: "review",
      };
    }

    case "alert_settings": {
      const fix: Fix = {
        kind: "open",
        label: "Review alert settings",
        to: { page: "account", flow: "alert-settings" },
      };
      if (ok)
        return base(
          "Security alerts reach your desktop",
          "Alerts about your account's security arrive as desktop notifications, so you hear at once about a sign-in that wasn't you.",
        );
      return {
        ...base(
          `${counted(howMany(check), "security alert", "security alerts", "is", "are")} shown in the app only`,
          "You only see them when you open Gatehouse. As desktop notifications, they reach you as soon as something happens.",
        ),
        listItems: true,
        fix,
      };
    }

    case "pending_approvals": {
      if (ok)
        return base(
          "No withdrawal requests waiting for you",
          "Requests that need approval wait until an administrator or finance user decides.",
        );
      return {
        ...base(
          `${counted(howMany(check), "withdrawal request", "withdrawal requests", "waits", "wait")} for a decision`,
          "They can't go ahead until someone approves them. Check each address and amount before you decide.",
        ),
        listItems: true,
        itemsWhen: "Requested",
        fix: { kind: "open", label: "Review requests", to: { page: "withdraw" } },
      };
    }

    case "stale_addresses": {
      const days = t.staleAddressDays;
      if (ok)
        return base(
          `No shared address left unused for ${days} days`,
          "Every saved address is one more place a withdrawal can go.",
        );
      return {
        ...base(
          `${counted(howMany(check), "shared address", "shared addresses", "hasn't", "haven't")} been used for ${days} days`,
          "Every saved address is one more place a withdrawal can go. Remove those the team no longer needs.",
        ),
        listItems: true,
        itemsWhen: "Last used",
        fix: { kind: "open", label: "Open the address book", to: { page: "addresses" } },
      };
    }

    case "team_two_factor": {
      if (ok && n === 0)
        return base(
          "Everyone uses two-factor authentication",
          "Every active account needs a code from a phone after its password.",
        );
      if (ok)
        return base(
          "Everyone must use two-factor authentication",
          `The policy requires it: ${plural(n, "person", "people")} without it yet must set it up at their next sign-in.`,
        );
      return {
        ...base(
          `${counted(howMany(check), "person", "people", "doesn't", "don't")} use two-factor authentication`,
          "Their accounts open with a password alone. Requiring it makes everyone without it set it up at their next sign-in.",
        ),
        listItems: true,
        fix: { kind: "require-two-factor", label: "Require 2FA for everyone" },
      };
    }

    case "team_locked_accounts": {
      if (ok)
        return base(
          "No locked accounts",
          "Accounts lock after repeated failed sign-ins; an administrator unlocks them.",
        );
      return {
        ...base(
          `${counted(howMany(check), "account", "accounts", "is", "are")} locked`,
          "Repeated failed sign-ins locked them. Check with each person before unlocking: the attempts may not have been theirs.",
        ),
        listItems: true,
        itemsWhen: "Locked",
        fix: { kind: "open", label: "Open Users", to: { page: "users" } },
      };
    }

    case "team_disabled_with_sessions": {
      if (ok)
        return base(
          "Disabled users have no open sessions",
          "Disabling an account stops new sign-ins; none of the disabled accounts' sessions is still open.",
        );
      return {
        ...base(
          `${counted(howMany(check), "disabled user", "disabled users", "still has", "still have")} open sessions`,
          "Disabling stopped new sign-ins, but these sessions are still open. End them from each user's page.",
        ),
        listItems: true,
        itemsWhen: "Disabled",
        itemAction: "open-user",
      };
    }

    case "team_pending_weakening": {
      if (ok)
        return base(
          "No change weakening protection is waiting",
          "A change that weakens the policy waits its delay unless a second administrator confirms it.",
        );
      return {
        ...base(
          `${counted(howMany(check), "change", "changes", "weakening protection is", "weakening protection are")} waiting`,
          "Each applies on its own when its delay ends, unless another administrator confirms it sooner or anyone cancels it.",
        ),
        listItems: true,
        itemsWhen: "Applies",
        fix: { kind: "open", label: "Open Policy", to: { page: "policy" } },
      };
    }

    case "team_geoip": {
      if (ok)
        return base(
          "Sign-in places are looked up",
          "A GeoIP database turns addresses into places for sign-in activity and the new-place and unusual-travel flags.",
        );
      return {
        ...base(
          "Sign-in places show “Unknown”",
          "Gatehouse has no GeoIP database, so it can't tell where sign-ins come from or flag new places and unusual travel. Where Gatehouse's database is (this computer, or the team's server), run:",
        ),
        command: "gatehouse geoip set FILE.mmdb",
      };
    }

    case "team_audit_log": {
      const last = check.items[0];
      const lastText = last
        ? `, last: ${last.label}${last.at === null ? "" : ` ${formatRelative(last.at, now)}`}`
        : "";
      return base("Audit log", `${plural(n, "entry", "entries")}${lastText}. Every security-relevant change is recorded.`);
    }

    default:
      return {
        ...base(humanize(check.id), ok ? "Nothing to do here." : `Gatehouse found ${plural(n, "thing")} to look at.`),
        listItems: true,
      };
  }
}

/** An item's first line: for pending policy changes, the setting's name in words. */
export function itemLabel(check: CheckView, item: CheckItemView): string {
  return check.id === "team_pending_weakening" ? humanize(item.label) : item.label;
}

/** Flagged sign-ins: the label is the flags, comma-separated. */
export function flagsOf(item: CheckItemView): string[] {
  return item.label
    .split(",")
    .map((flag) => flag.trim())
    .filter(Boolean);
}
