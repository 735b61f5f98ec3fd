-- Slice 2: two-factor authentication (TOTP, backup codes), sign-in challenges, step-up.
-- Secrets are sealed with XChaCha20-Poly1305 under a data key kept in the OS keychain;
-- `key_id` names which key sealed a row (a hash prefix of the key, never the key).

-- An enabled authenticator: the sealed secret and the newest time step accepted (replay).
CREATE TABLE user_totp (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    key_id     TEXT    NOT NULL,
    nonce      BLOB    NOT NULL,
    ciphertext BLOB    NOT NULL,
    last_step  INTEGER NOT NULL,
    enabled_at INTEGER NOT NULL
);

-- A secret shown to the user and waiting for its first code.
CREATE TABLE totp_enrollments (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    key_id     TEXT    NOT NULL,
    nonce      BLOB    NOT NULL,
    ciphertext BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- One-time backup codes, only as keyed hashes (HMAC-SHA-256 under the data key).
CREATE TABLE backup_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    key_id     TEXT    NOT NULL,
    code_hash  BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX backup_codes_unused ON backup_codes (user_id, code_hash) WHERE used_at IS NULL;

-- The second step of a sign-in: the password was right, a code is due.
CREATE TABLE signin_challenges (
    token_hash      BLOB    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    attempt_id      INTEGER NOT NULL,
    installation_id TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    used_at         INTEGER
);

ALTER TABLE sessions ADD COLUMN second_factor TEXT;      -- 'totp' | 'backup_code' | NULL
ALTER TABLE sessions ADD COLUMN stepped_up_at INTEGER;   -- the last step-up (sudo mode)

ALTER TABLE policy ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE policy ADD COLUMN step_up_minutes INTEGER NOT NULL DEFAULT 10;

-- Sign-in attempts gain a 'pending' outcome (password right, second factor not given yet)
-- and the second factor used. SQLite cannot change a CHECK in place: rebuild the table.
CREATE TABLE signin_attempts_v2 (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    email         TEXT    NOT NULL,
    user_id       INTEGER REFERENCES users (id),
    outcome       TEXT    NOT NULL CHECK (outcome IN ('success', 'failure', 'pending')),
    reason        TEXT    NOT NULL,
    second_factor TEXT,
    ip            TEXT,
    location      TEXT    NOT NULL,
    country_code  TEXT,
    city          TEXT,
    latitude      REAL,
    longitude     REAL,
    device_id     INTEGER,
    device_name   TEXT    NOT NULL,
    device_kind   TEXT    NOT NULL,
    os            TEXT    NOT NULL,
    client        TEXT    NOT NULL,
    session_id    INTEGER
);
INSERT INTO signin_attempts_v2 (id, at, email, user_id, outcome, reason, ip, location, country_code, city,
                                latitude, longitude, device_id, device_name, device_kind, os, client, session_id)
SELECT id, at, email, user_id, outcome, reason, ip, location, country_code, city,
       latitude, longitude, device_id, device_name, device_kind, os, client, session_id
FROM signin_attempts;
DROP TABLE signin_attempts;
ALTER TABLE signin_attempts_v2 RENAME TO signin_attempts;
CREATE INDEX signin_attempts_by_time ON signin_attempts (at, id);
CREATE INDEX signin_attempts_by_user ON signin_attempts (user_id, at, id);
CREATE INDEX signin_attempts_failures ON signin_attempts (at, id) WHERE outcome = 'failure';
