-- One admin alone must not weaken the protections: a change that weakens a policy setting
-- waits the protection change delay (default 24 h) unless a second admin confirms it, and
-- any admin may cancel it meanwhile. One row per setting changed.
ALTER TABLE policy ADD COLUMN protection_change_delay_minutes INTEGER NOT NULL DEFAULT 1440;

CREATE TABLE policy_changes (
    id           INTEGER PRIMARY KEY,
    setting      TEXT    NOT NULL,                -- the policy column, e.g. 'withdrawals_need_approval'
    from_value   INTEGER NOT NULL,
    to_value     INTEGER NOT NULL,
    proposed_by  INTEGER NOT NULL REFERENCES users (id),
    proposed_at  INTEGER NOT NULL,
    effective_at INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'applied', 'confirmed', 'cancelled', 'replaced')),
    decided_by   INTEGER REFERENCES users (id),
    decided_at   INTEGER
);
-- At most one pending change per setting; the earliest due one is read with every policy read.
CREATE UNIQUE INDEX policy_changes_one_pending ON policy_changes (setting) WHERE status = 'pending';
CREATE INDEX policy_changes_due ON policy_changes (effective_at) WHERE status = 'pending';
