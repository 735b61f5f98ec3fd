-- Telling the app what changed (standalone: another process, such as the CLI, wrote).

-- Who ended a session (an admin, or its owner from another session): the ended session's
-- app says so.
ALTER TABLE sessions ADD COLUMN ended_by INTEGER REFERENCES users (id);

-- One version per topic, bumped in the writing transaction; the app's watcher compares
-- them every half second (PostgreSQL sends NOTIFY instead, see its migration 0004).
CREATE TABLE change_versions (
    topic   TEXT    PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO change_versions (topic)
    VALUES ('sessions'), ('devices'), ('activity'), ('addresses'), ('withdrawals'), ('users'), ('notices');

CREATE TRIGGER sessions_inserted AFTER INSERT ON sessions
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'sessions'; END;
CREATE TRIGGER sessions_updated AFTER UPDATE OF ended_at, locked_at ON sessions
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'sessions'; END;
CREATE TRIGGER devices_inserted AFTER INSERT ON devices
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'devices'; END;
CREATE TRIGGER devices_updated AFTER UPDATE OF name, removed_at ON devices
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'devices'; END;
CREATE TRIGGER activity_inserted AFTER INSERT ON signin_attempts
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'activity'; END;
CREATE TRIGGER addresses_inserted AFTER INSERT ON addresses
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'addresses'; END;
CREATE TRIGGER addresses_updated AFTER UPDATE ON addresses
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'addresses'; END;
CREATE TRIGGER withdrawals_inserted AFTER INSERT ON withdrawals
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'withdrawals'; END;
CREATE TRIGGER withdrawals_updated AFTER UPDATE ON withdrawals
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'withdrawals'; END;
CREATE TRIGGER users_inserted AFTER INSERT ON users
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'users'; END;
CREATE TRIGGER users_updated AFTER UPDATE ON users
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'users'; END;
CREATE TRIGGER notices_inserted AFTER INSERT ON notices
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'notices'; END;
CREATE TRIGGER notices_updated AFTER UPDATE OF read_at ON notices
BEGIN UPDATE change_versions SET version = version + 1 WHERE topic = 'notices'; END;
