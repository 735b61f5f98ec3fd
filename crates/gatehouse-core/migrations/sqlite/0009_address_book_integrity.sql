-- Check-then-act made safe for concurrent writers: one live address-book entry per owner +
-- network + address + memo is a constraint, not only a read before the insert.
CREATE UNIQUE INDEX addresses_one_live_entry
    ON addresses (coalesce(owner_id, 0), network, address, coalesce(memo, ''))
    WHERE deleted_at IS NULL;

-- A withdrawal request can be cancelled: deleting its address entry, or changing the
-- address or memo, cancels the requests still waiting for approval. SQLite cannot alter a
-- CHECK constraint, so the table is rebuilt (nothing references it).
CREATE TABLE withdrawals_v2 (
    id            INTEGER PRIMARY KEY,
    requester_id  INTEGER NOT NULL REFERENCES users (id),
    address_id    INTEGER REFERENCES addresses (id),
    label         TEXT    NOT NULL,
    network       TEXT    NOT NULL,
    address       TEXT    NOT NULL,
    memo          TEXT,
    asset         TEXT    NOT NULL,
    amount        TEXT    NOT NULL,               -- exact decimal, canonical
    note          TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    created_at    INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users (id),
    decided_at    INTEGER,
    decision_note TEXT
);
INSERT INTO withdrawals_v2 (id, requester_id, address_id, label, network, address, memo, asset, amount, note, status,
                            created_at, decided_by, decided_at, decision_note)
SELECT id, requester_id, address_id, label, network, address, memo, asset, amount, note, status,
       created_at, decided_by, decided_at, decision_note
FROM withdrawals;
DROP TABLE withdrawals;
ALTER TABLE withdrawals_v2 RENAME TO withdrawals;
CREATE INDEX withdrawals_by_time ON withdrawals (created_at, id);
CREATE INDEX withdrawals_pending_by_address ON withdrawals (address_id) WHERE status = 'pending';
-- Requests already waiting on an entry deleted before this rule are cancelled now.
UPDATE withdrawals
SET status = 'cancelled',
    decided_at = (SELECT deleted_at FROM addresses a WHERE a.id = withdrawals.address_id),
    decision_note = 'Cancelled: its saved address was deleted.'
WHERE status = 'pending'
  AND address_id IN (SELECT id FROM addresses WHERE deleted_at IS NOT NULL);
