// Two-factor authentication in words and pictures: the QR code as an image URL (no inline
// markup under the strict CSP), the second factor a sign-in used, and what a code looks like.

import type { SecondFactorView } from "./generated/SecondFactorView";

/** The backend's SVG markup as a `data:` URL for an <img> (img-src allows `data:`). */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

const SECOND_FACTOR_LABELS: Record<SecondFactorView, string> = {
  totp: "authenticator app",
  backupCode: "backup code",
};

/** "authenticator app" or "backup code". */
export function secondFactorLabel(factor: SecondFactorView): string {
  return SECOND_FACTOR_LABELS[factor] ?? factor;
}

/** An example backup code, for hints. */
export const BACKUP_CODE_EXAMPLE = "K7QM3-XD9P0";

/** "1 backup code", "7 backup codes". */
export function backupCodesLabel(count: number): string {
  return count === 1 ? "1 backup code" : `${count} backup codes`;
}
