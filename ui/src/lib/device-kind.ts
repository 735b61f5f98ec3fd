// Device form factors in words.

import type { DeviceKindView } from "./generated/DeviceKindView";

const LABELS: Record<DeviceKindView, string> = {
  desktop: "Desktop",
  laptop: "Laptop",
  phone: "Phone",
  tablet: "Tablet",
  terminal: "Terminal",
};

export function deviceKindLabel(kind: DeviceKindView): string {
  return LABELS[kind] ?? kind;
}
