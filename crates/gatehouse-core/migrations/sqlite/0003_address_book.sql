-- Slice 3: the address book of trusted withdrawal addresses, withdrawal requests, and the
-- in-app notices that changes raise.

-- A saved address. Personal entries belong to their owner; shared entries (owner NULL)
-- belong to the team and are managed by admins and finance.
CREATE TABLE addresses (
    id           INTEGER PRIMARY KEY,
    owner_id     INTEGER REFERENCES users (id),
    label        TEXT    NOT NULL,
    network      TEXT    NOT NULL,
    address      TEXT    NOT NULL,                -- canonical form from validation
    memo         TEXT,                            -- destination tag / memo where the network has one
    note         TEXT    NOT NULL DEFAULT '',
    added_by     INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    usable_from  INTEGER NOT NULL,                -- end of the cooling-off period
    last_used_at INTEGER,
    deleted_at   INTEGER
);
-- Labels are unique per owner (and among shared entries), ignoring case.
CREATE UNIQUE INDEX addresses_personal_label ON addresses (owner_id, label COLLATE NOCASE)
    WHERE deleted_at IS NULL AND owner_id IS NOT NULL;
CREATE UNIQUE INDEX addresses_shared_label ON addresses (label COLLATE NOCASE)
    WHERE deleted_at IS NULL AND owner_id IS NULL;
CREATE INDEX addresses_by_network ON addresses (network, label) WHERE deleted_at IS NULL;

-- A withdrawal request. The address is copied in, so editing the book never rewrites history.
CREATE TABLE withdrawals (
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
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at    INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users (id),
    decided_at    INTEGER,
    decision_note TEXT
);
CREATE INDEX withdrawals_by_time ON withdrawals (created_at, id);

-- In-app notices (the notifications centre grows from this in the alerts slice).
CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES users (id),
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    subject      TEXT,                            -- what it is about, e.g. 'address:12'
    read_at      INTEGER
);
CREATE INDEX notices_by_recipient ON notices (recipient_id, at, id);

ALTER TABLE policy ADD COLUMN address_cooling_off_minutes INTEGER NOT NULL DEFAULT 1440;
ALTER TABLE policy ADD COLUMN withdrawals_need_approval INTEGER NOT NULL DEFAULT 0;
