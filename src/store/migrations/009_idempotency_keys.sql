-- Idempotency-Key records shared by every instance (SPEC §10). `key` is "<session row id>:<key>": a
-- key belongs to its session. `fingerprint` binds it to the request it was first used for. While the
-- first attempt is in flight `owner` names the instance and claim holding it until `lease_until`
-- (renewed while the call runs, so a dead instance's claim lapses); once answered `owner` is null and
-- the provider's answer is kept. Rows live until `expires_at` (IDEMPOTENCY_TTL after first use).
CREATE TABLE IF NOT EXISTS gateway_idempotency_keys (
  key text PRIMARY KEY,
  fingerprint text NOT NULL,
  owner text,
  lease_until timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  status integer,
  headers jsonb,
  body bytea
);
CREATE INDEX IF NOT EXISTS gateway_idempotency_keys_expires_at ON gateway_idempotency_keys (expires_at);
