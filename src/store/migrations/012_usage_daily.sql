-- Usage history (SPEC §10, issue 17): sends (sent, failed) and received messages per session,
-- message type and Asia/Jakarta calendar day, written by the once-a-second counter flush in one
-- multi-row upsert. user_id is kept on every row and nothing references wa_sessions: a deleted
-- session keeps its history, which is the user's billing record. An adopted Go database starts with
-- no history (its running totals stay in wa_session_message_stats); history begins at adoption.
CREATE TABLE IF NOT EXISTS gateway_usage_daily (
  user_id varchar(64) NOT NULL,
  day date NOT NULL,
  session_id varchar(128) NOT NULL,
  message_type varchar(64) NOT NULL,
  sent bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  received bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL,
  -- One user's range (the customer's and the per-user reads) is one index range scan.
  PRIMARY KEY (user_id, day, session_id, message_type)
);
-- Billing runs over every user and the retention prune both read by day.
CREATE INDEX IF NOT EXISTS idx_gateway_usage_daily_day ON gateway_usage_daily (day);
