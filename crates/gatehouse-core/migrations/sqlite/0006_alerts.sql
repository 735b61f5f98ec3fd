-- Alerts: notices become the notifications centre. Each notice knows whether it is also
-- shown as a native desktop notification, which session caused it (never alerted to that
-- same session; "This wasn't me" ends it) and which sign-in attempt it is about.
ALTER TABLE notices ADD COLUMN native INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN session_id INTEGER;
ALTER TABLE notices ADD COLUMN attempt_id INTEGER;

-- Per-user choice for each kind of alert; a missing row means the kind's default.
CREATE TABLE alert_settings (
    user_id  INTEGER NOT NULL REFERENCES users (id),
    kind     TEXT    NOT NULL,
    delivery TEXT    NOT NULL CHECK (delivery IN ('native', 'in_app', 'off')),
    PRIMARY KEY (user_id, kind)
);

-- "This wasn't me": when the account's owner disowned a sign-in.
ALTER TABLE signin_attempts ADD COLUMN disowned_at INTEGER;
CREATE INDEX notices_after_id ON notices (recipient_id, id);
