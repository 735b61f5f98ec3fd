-- The security checkup: how strong a password was when it was set (zxcvbn's 0–4 score, never
-- the password; unknown for passwords set before), and flagged sign-ins their owner reviewed
-- ("It was me").
ALTER TABLE users ADD COLUMN password_score BIGINT;
ALTER TABLE signin_attempts ADD COLUMN reviewed_at BIGINT;
