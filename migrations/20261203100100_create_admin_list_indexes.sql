-- A2, A3, A4: the indexes of the admin console's lists and reports.
-- Users list: keyset paging per sort (the id breaks ties), and substring search in email and
-- display name (trigram indexes serve ILIKE '%q%').
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX app_users_created_at_id_idx ON app_users (created_at, id);
CREATE INDEX app_users_email_id_idx ON app_users (email, id);
CREATE INDEX app_users_last_login_at_id_idx
    ON app_users ((COALESCE(last_login_at, timestamptz 'epoch')), id);
CREATE INDEX app_users_email_trgm_idx ON app_users USING gin (email gin_trgm_ops);
CREATE INDEX app_users_display_name_trgm_idx ON app_users USING gin (display_name gin_trgm_ops);
-- The last-admin rule locks the active admins: few rows, found without a scan.
CREATE INDEX app_users_active_admins_idx ON app_users (id) WHERE is_admin AND is_active;
-- Cost report: every breakdown reads one time range of usage rows; covering the grouped
-- columns lets it do so from the index alone.
CREATE INDEX chat_token_usage_created_at_cover_idx ON chat_token_usage (created_at)
    INCLUDE (user_id, provider, model, input_tokens, output_tokens, cached_tokens, cost);
DROP INDEX chat_token_usage_created_at_idx;
-- Statistics: messages per day.
CREATE INDEX chat_messages_created_at_idx ON chat_messages (created_at);
