-- Send statistics are flushed in batches with one multi-row upsert, which needs one row per
-- (user, session, type). The Go service's find-then-insert could race into duplicates
-- (go-service-api B25): they are folded into the oldest row first, their counts added up.
UPDATE wa_session_message_stats keep SET
  total_sent = agg.sent, total_failed = agg.failed,
  last_success_at = agg.last_success, last_failed_at = agg.last_failed
FROM (
  SELECT min(id) AS id, sum(total_sent) AS sent, sum(total_failed) AS failed,
         max(last_success_at) AS last_success, max(last_failed_at) AS last_failed
  FROM wa_session_message_stats GROUP BY user_id, session_id, message_type HAVING count(*) > 1
) agg
WHERE keep.id = agg.id;
DELETE FROM wa_session_message_stats a USING wa_session_message_stats b
 WHERE a.user_id = b.user_id AND a.session_id = b.session_id AND a.message_type = b.message_type AND a.id > b.id;
CREATE UNIQUE INDEX IF NOT EXISTS uq_wa_session_message_stats_key ON wa_session_message_stats (user_id, session_id, message_type);
