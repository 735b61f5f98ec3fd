-- A database imported from another installation keeps that installation's data key, sealed
-- under its own: backup codes are keyed hashes and can't be re-keyed without the codes, so
-- the codes made there keep working here. The database alone still opens nothing.
CREATE TABLE previous_data_keys (
    key_id      TEXT   PRIMARY KEY,                -- the id of the earlier key
    sealed_with TEXT   NOT NULL,                   -- the id of the key it is sealed under
    nonce       BYTEA  NOT NULL,
    ciphertext  BYTEA  NOT NULL,
    added_at    BIGINT NOT NULL
);
