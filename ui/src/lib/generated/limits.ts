// Generated from gatehouse-api's limits.rs (the core's limits). Do not edit.

export const LABEL_MAX_CHARS = 64;
export const NOTE_MAX_CHARS = 500;
export const NAME_MAX_CHARS = 100;
export const DEVICE_NAME_MAX_CHARS = 64;
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 128;
export const CODE_INPUT_MAX_CHARS = 12;
export const ANSWER_INPUT_MAX_CHARS = 16;

/** Each numeric policy setting's [least, most], by its field in PolicyView. */
export const POLICY_RANGES = {
  sessionIdleMinutes: [5, 43200],
  sessionAbsoluteMinutes: [5, 525600],
  idleLockMinutes: [0, 1440],
  lockoutThreshold: [3, 100],
  lockoutMinutes: [1, 1440],
  ipLockoutThreshold: [3, 10000],
  hardLockoutThreshold: [3, 100],
  stepUpMinutes: [1, 120],
  addressCoolingOffMinutes: [0, 43200],
  failureBurstThreshold: [2, 1000],
  failureBurstMinutes: [1, 1440],
  newPlaceDays: [1, 730],
  impossibleTravelKmh: [100, 20000],
  protectionChangeDelayMinutes: [0, 10080],
} as const;
