// The signed-in app's pages, and where a page may send the person: a page, or a page at
// the flow that fixes something (the Overview's buttons). The shell opens destinations;
// a page given a flow starts it (and takes the focus) once, when it opens.

/** The pages of the signed-in app. */
export const PAGES = ["overview", "security", "addresses", "withdraw", "users", "policy", "account"] as const;
export type Page = (typeof PAGES)[number];

/** Whether `name` is one of the pages (a page name that came back from the shell). */
export function isPage(name: string): name is Page {
  return (PAGES as readonly string[]).includes(name);
}

/** Security page: a flow of the Two-factor tab to start at once. */
export type SecurityFlow = "enroll-two-factor" | "new-backup-codes";

/** Account page: the part to open and focus. */
export type AccountFlow = "change-password" | "alert-settings";

/** Where to go, and what to start there. */
export type Destination =
  | { page: "security"; flow: SecurityFlow }
  | { page: "account"; flow: AccountFlow }
  /** One user's page (admins). */
  | { page: "users"; userId: number }
  /** A page as it opens from the sidebar. */
  | { page: "addresses" | "withdraw" | "users" | "policy" };

/** Opens a destination (the shell's). */
export type Open = (to: Destination) => void;
