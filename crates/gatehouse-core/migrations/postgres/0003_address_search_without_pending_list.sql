-- The address-book search index takes each new entry at once instead of through GIN's
-- pending list: entries are added one at a time by people, but every search had to read
-- the whole pending list (8 ms a search at 100,000 entries until a vacuum, against 1 ms
-- without, measured with benches/core.rs).
ALTER INDEX addresses_search SET (fastupdate = off);
SELECT gin_clean_pending_list('addresses_search'::regclass);
