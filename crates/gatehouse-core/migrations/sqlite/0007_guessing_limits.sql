-- Guessing must end: consecutive failures per account across windows, up to a hard limit
-- after which only an administrator unlocks the account; and a per-session count of wrong
-- answers to step-up and unlock (five end the session).

ALTER TABLE signin_throttle ADD COLUMN consecutive INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signin_throttle ADD COLUMN hard_locked_at INTEGER;
-- Failures counted so far carry over as consecutive ones.
UPDATE signin_throttle SET consecutive = failures;

ALTER TABLE policy ADD COLUMN hard_lockout_threshold INTEGER NOT NULL DEFAULT 100;

ALTER TABLE sessions ADD COLUMN confirm_failures INTEGER NOT NULL DEFAULT 0;
