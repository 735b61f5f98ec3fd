// Generated from gatehouse-api's limits.rs (the core's limits). Do not edit.

export const LABEL_MAX_CHARS = 64;
export const NOTE_MAX_CHARS = 500;
export const NAME_MAX_CHARS = 100;
export const DEVICE_NAME_MAX_CHARS = 64;
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 128;
