-- An admin or finance user whom an admin created, or whose password an admin reset, counts
-- as the second person (approving withdrawals, confirming policy changes) only from this
-- time: the policy's protection change delay later. NULL: no wait.
ALTER TABLE users ADD COLUMN approves_from INTEGER;
