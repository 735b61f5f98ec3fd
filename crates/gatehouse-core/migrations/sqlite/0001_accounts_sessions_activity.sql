-- Slice 1: accounts, devices, sessions, sign-in activity, throttling, policy, audit log.
-- Times are INTEGER milliseconds since the Unix epoch (UTC). Append-only: never edit a
-- migration that has landed; add a new file instead.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    email                TEXT    NOT NULL UNIQUE,          -- trimmed, lowercase
    name                 TEXT    NOT NULL,
    role                 TEXT    NOT NULL CHECK (role IN ('admin', 'finance', 'member')),
    password_hash        TEXT    NOT NULL,                 -- argon2id PHC string
    password_changed_at  INTEGER NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled_at          INTEGER,
    created_at           INTEGER NOT NULL,
    created_by           INTEGER REFERENCES users (id)
);

-- One row per (user, client installation). Removed devices stay for history.
CREATE TABLE devices (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    installation_id TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    os              TEXT    NOT NULL,
    os_version      TEXT    NOT NULL,
    first_seen_at   INTEGER NOT NULL,
    last_used_at    INTEGER NOT NULL,
    removed_at      INTEGER
);
CREATE UNIQUE INDEX devices_installation ON devices (user_id, installation_id) WHERE removed_at IS NULL;

CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    device_id      INTEGER NOT NULL REFERENCES devices (id),
    token_hash     BLOB    NOT NULL UNIQUE,                -- SHA-256 of the token; the token is never stored
    client_kind    TEXT    NOT NULL,
    client_name    TEXT    NOT NULL,
    client_version TEXT    NOT NULL,
    ip             TEXT,
    location       TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,                       -- absolute lifetime
    locked_at      INTEGER,
    ended_at       INTEGER,
    end_reason     TEXT
);
CREATE INDEX sessions_active_by_user ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_by_device ON sessions (device_id) WHERE ended_at IS NULL;

-- Every sign-in attempt, successful or not. Device and client are copied in so history
-- stays readable after a device is renamed or removed.
CREATE TABLE signin_attempts (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    email         TEXT    NOT NULL,
    user_id       INTEGER REFERENCES users (id),
    outcome       TEXT    NOT NULL CHECK (outcome IN ('success', 'failure')),
    reason        TEXT    NOT NULL,
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
CREATE INDEX signin_attempts_by_time ON signin_attempts (at, id);
CREATE INDEX signin_attempts_by_user ON signin_attempts (user_id, at, id);
CREATE INDEX signin_attempts_failures ON signin_attempts (at, id) WHERE outcome = 'failure';

-- Failure counters for throttling, keyed by scope ('account' = normalised email,
-- whether or not the account exists; 'ip' = address).
CREATE TABLE signin_throttle (
    scope           TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    blocked_until   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

-- The one policy row; admins change it.
CREATE TABLE policy (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    session_idle_minutes     INTEGER NOT NULL,
    session_absolute_minutes INTEGER NOT NULL,
    idle_lock_minutes        INTEGER NOT NULL,
    lockout_threshold        INTEGER NOT NULL,
    lockout_minutes          INTEGER NOT NULL,
    ip_lockout_threshold     INTEGER NOT NULL
);
INSERT INTO policy VALUES (1, 720, 10080, 15, 10, 15, 50);

-- Small named settings (e.g. the GeoIP database path).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,
    actor_user_id    INTEGER REFERENCES users (id),
    actor_session_id INTEGER,
    action           TEXT    NOT NULL,
    target_user_id   INTEGER REFERENCES users (id),
    detail           TEXT    NOT NULL,
    ip               TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at, id);
