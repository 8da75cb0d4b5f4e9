-- U4: the provider-reported usage and cost of every request. Ids are uuid v7 (from the app).
-- Rows keep the cost history: deleting a chat, a message or an account clears the link, not
-- the row. cost is exact USD; input_tokens include cached_tokens; latency_ms is the whole
-- request, ttft_ms the time to the first token (NULL when nothing was streamed).
CREATE TABLE chat_token_usage (
    id uuid PRIMARY KEY,
    user_id uuid REFERENCES app_users (id) ON DELETE SET NULL,
    chat_id uuid REFERENCES chats (id) ON DELETE SET NULL,
    message_id uuid REFERENCES chat_messages (id) ON DELETE SET NULL,
    provider text NOT NULL CHECK (
        provider IN ('openai', 'anthropic', 'gemini', 'mistral', 'xai', 'azure_openai', 'openai_compatible')
    ),
    model text NOT NULL CHECK (model <> ''),
    input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
    output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
    cached_tokens bigint NOT NULL DEFAULT 0 CHECK (cached_tokens BETWEEN 0 AND input_tokens),
    cost numeric NOT NULL CHECK (cost >= 0),
    latency_ms integer CHECK (latency_ms >= 0),
    ttft_ms integer CHECK (ttft_ms >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX chat_token_usage_user_id_created_at_idx ON chat_token_usage (user_id, created_at);
CREATE INDEX chat_token_usage_created_at_idx ON chat_token_usage (created_at);
CREATE INDEX chat_token_usage_chat_id_idx ON chat_token_usage (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX chat_token_usage_message_id_idx ON chat_token_usage (message_id) WHERE message_id IS NOT NULL;
