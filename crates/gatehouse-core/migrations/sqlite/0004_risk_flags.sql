-- Slice 4 (alerts): risk flags on each sign-in attempt, the indexes that keep assessing
-- them to a few index lookups at millions of rows, and their thresholds in the policy.

-- The flags of an attempt as an INTEGER bitset; 0 = none. The bits are stable: never
-- renumber or reuse one (gatehouse-core's risk.rs reads them):
--   1 new_device, 2 new_place, 4 failure_burst, 8 impossible_travel, 16 after_lockout.
-- Attempts recorded before this migration have no flags (history is not re-assessed).
ALTER TABLE signin_attempts ADD COLUMN risk_flags INTEGER NOT NULL DEFAULT 0;

-- Failure bursts: recent failures on one email (known or not), and from one address.
CREATE INDEX signin_attempts_failures_by_email ON signin_attempts (email, at) WHERE outcome = 'failure';
CREATE INDEX signin_attempts_failures_by_ip ON signin_attempts (ip, at) WHERE outcome = 'failure' AND ip IS NOT NULL;
-- A user's successful sign-ins: the latest one, the cities and the countries they came from
-- (a location may have a country and no city), and the latest one with coordinates
-- (impossible travel).
CREATE INDEX signin_attempts_successes ON signin_attempts (user_id, at) WHERE outcome = 'success';
CREATE INDEX signin_attempts_places ON signin_attempts (user_id, country_code, city, at)
    WHERE outcome = 'success' AND country_code IS NOT NULL;
CREATE INDEX signin_attempts_countries ON signin_attempts (user_id, country_code, at)
    WHERE outcome = 'success' AND country_code IS NOT NULL;
CREATE INDEX signin_attempts_located ON signin_attempts (user_id, at)
    WHERE outcome = 'success' AND latitude IS NOT NULL AND longitude IS NOT NULL;
-- "Flagged only", for everyone's activity and for one user's.
CREATE INDEX signin_attempts_flagged ON signin_attempts (at, id) WHERE risk_flags <> 0;
CREATE INDEX signin_attempts_flagged_by_user ON signin_attempts (user_id, at, id) WHERE risk_flags <> 0;

-- Every device a user ever signed in from, removed ones included ("never seen before").
CREATE INDEX devices_by_user ON devices (user_id, installation_id);

-- When the key was last locked out. Later failures keep it; it goes with the row when a
-- success or an administrator's unlock clears the counter ("sign-in right after a lockout").
ALTER TABLE signin_throttle ADD COLUMN locked_at INTEGER;

ALTER TABLE policy ADD COLUMN failure_burst_threshold INTEGER NOT NULL DEFAULT 5;
ALTER TABLE policy ADD COLUMN failure_burst_minutes INTEGER NOT NULL DEFAULT 15;
ALTER TABLE policy ADD COLUMN new_place_days INTEGER NOT NULL DEFAULT 90;
ALTER TABLE policy ADD COLUMN impossible_travel_kmh INTEGER NOT NULL DEFAULT 1000;
