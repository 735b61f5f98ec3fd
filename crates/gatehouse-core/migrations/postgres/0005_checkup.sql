-- The security checkup: how strong a password was when it was set (zxcvbn's 0–4 score, never
-- the password; unknown for passwords set before), and flagged sign-ins their owner reviewed
-- ("It was me").
ALTER TABLE users ADD COLUMN password_score BIGINT;
ALTER TABLE signin_attempts ADD COLUMN reviewed_at BIGINT;
-- The checkup's "shared addresses not used for 180 days", oldest use first, without reading
-- the whole book.
CREATE INDEX addresses_shared_by_last_use ON addresses (coalesce(last_used_at, created_at), id)
    WHERE owner_id IS NULL AND deleted_at IS NULL;
