-- Pushing alerts and changes to connected clients (team mode).

-- Who ended a session (an admin, or its owner from another session): the ended session's
-- app says so.
ALTER TABLE sessions ADD COLUMN ended_by BIGINT REFERENCES users (id);

-- "What you are looking at changed": each write to a table a page shows sends
-- NOTIFY gatehouse_changes '<topic>:<user id>' (the user whose data it is; empty for shared
-- entries and sign-in attempts of unknown emails). NOTIFY is delivered at commit, only once
-- per distinct payload per transaction, and never on rollback. TG_ARGV: the topic, then the
-- column naming the user.
CREATE FUNCTION gatehouse_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_user TEXT := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) ->> TG_ARGV[1] END;
    after_user  TEXT := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) ->> TG_ARGV[1] END;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('gatehouse_changes', TG_ARGV[0] || ':' || coalesce(before_user, ''));
    END IF;
    IF TG_OP <> 'DELETE' AND after_user IS DISTINCT FROM before_user THEN
        PERFORM pg_notify('gatehouse_changes', TG_ARGV[0] || ':' || coalesce(after_user, ''));
    END IF;
    RETURN NULL;
END $$;

-- Sessions: signing in, ending, locking — not the activity stamp written every 30 s.
CREATE TRIGGER sessions_changed AFTER INSERT OR DELETE OR UPDATE OF ended_at, locked_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION gatehouse_changed('sessions', 'user_id');
CREATE TRIGGER devices_changed AFTER INSERT OR DELETE OR UPDATE OF name, removed_at ON devices
    FOR EACH ROW EXECUTE FUNCTION gatehouse_changed('devices', 'user_id');
CREATE TRIGGER activity_changed AFTER INSERT OR DELETE ON signin_attempts
    FOR EACH ROW EXECUTE FUNCTION gatehouse_changed('activity', 'user_id');
CREATE TRIGGER addresses_changed AFTER INSERT OR UPDATE OR DELETE ON addresses
    FOR EACH ROW EXECUTE FUNCTION gatehouse_changed('addresses', 'owner_id');
CREATE TRIGGER withdrawals_changed AFTER INSERT OR UPDATE OR DELETE ON withdrawals
    FOR EACH ROW EXECUTE FUNCTION gatehouse_changed('withdrawals', 'requester_id');
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION gatehouse_changed('users', 'id');
-- New notices (the servers then read them by cursor) and notices marked read (the bell).
CREATE TRIGGER notices_changed AFTER INSERT OR DELETE OR UPDATE OF read_at ON notices
    FOR EACH ROW EXECUTE FUNCTION gatehouse_changed('notices', 'recipient_id');
