-- The last scheduled tick each periodic job ran for, so that a tick runs once however many instances
-- fire it (SPEC §3: the expiry sweep is safe with many instances running it).
CREATE TABLE IF NOT EXISTS gateway_job_ticks (
  job text PRIMARY KEY,
  last_tick timestamptz NOT NULL,
  ran_at timestamptz NOT NULL
);
