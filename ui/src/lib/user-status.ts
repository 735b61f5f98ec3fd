// A user's role and standing in words, for lists and headers.

import type { RoleView } from "./generated/RoleView";
import type { UserView } from "./generated/UserView";
import { formatMoment } from "./time";

const ROLE_LABELS: Record<RoleView, string> = {
  admin: "Admin",
  finance: "Finance",
  member: "Member",
};

export function roleLabel(role: RoleView): string {
  return ROLE_LABELS[role] ?? role;
}

export type StatusTone = "success" | "danger" | "warning";

export interface UserStatus {
  /** Active, Disabled or Locked. */
  label: string;
  /** "until 13:05" for a lockout. */
  detail: string | null;
  tone: StatusTone;
}

/** The sign-in lockout is still running, or lasts until an admin unlocks it. */
export function isLockedOut(user: UserView, now: number): boolean {
  return user.hardLocked || (user.lockedUntil !== null && user.lockedUntil > now);
}

/** Active, Disabled, Locked (until 13:05) or Locked (until unlocked). */
export function userStatus(user: UserView, now: number): UserStatus {
  if (user.disabledAt !== null) return { label: "Disabled", detail: null, tone: "danger" };
  if (user.hardLocked) return { label: "Locked", detail: "until an admin unlocks it", tone: "danger" };
  if (user.lockedUntil !== null && isLockedOut(user, now)) {
    return { label: "Locked", detail: `until ${formatMoment(user.lockedUntil, now)}`, tone: "warning" };
  }
  return { label: "Active", detail: null, tone: "success" };
}
