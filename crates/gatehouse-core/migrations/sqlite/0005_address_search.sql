-- Address-book search without scanning the table (issue goal: < 5 ms over 100,000 entries).
--
-- A trigram full-text index over labels and addresses answers "any fragment of 3 or more
-- characters" (case-insensitive) from the index. It is an external-content table: the text
-- lives once, in `addresses`; triggers keep the index in step. (Numbered 0005: 0004 is
-- taken by the risk-flag migration being written alongside.)
CREATE VIRTUAL TABLE address_search USING fts5 (
    label, address, content = 'addresses', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO address_search (rowid, label, address) SELECT id, label, address FROM addresses;

CREATE TRIGGER addresses_search_insert AFTER INSERT ON addresses BEGIN
    INSERT INTO address_search (rowid, label, address) VALUES (new.id, new.label, new.address);
END;
CREATE TRIGGER addresses_search_delete AFTER DELETE ON addresses BEGIN
    INSERT INTO address_search (address_search, rowid, label, address) VALUES ('delete', old.id, old.label, old.address);
END;
CREATE TRIGGER addresses_search_update AFTER UPDATE OF label, address ON addresses BEGIN
    INSERT INTO address_search (address_search, rowid, label, address) VALUES ('delete', old.id, old.label, old.address);
    INSERT INTO address_search (rowid, label, address) VALUES (new.id, new.label, new.address);
END;

-- The look-alike check compares a new address with saved ones ending in the same four
-- characters: index exactly that expression.
CREATE INDEX addresses_by_tail ON addresses (network, lower(substr(address, -4))) WHERE deleted_at IS NULL;

-- Lists come back by label: with this index the first page of a big book is read in order
-- instead of sorting every entry.
CREATE INDEX addresses_by_label ON addresses (label COLLATE NOCASE, id) WHERE deleted_at IS NULL;
