-- P1, P4: what admins store per LLM provider, one row per provider (created on the first write).
-- Every column but provider may be NULL; NULL means "not stored here": the key, the base URL and
-- the API version then come from the Spin variables (<provider>_api_key, <provider>_base_url,
-- azure_openai_api_version), which stay the fallback.
--
-- encrypted_key is the provider key as a Fernet token (url-safe base64 text) under the first key
-- of the Spin variable provider_keys_master_key; the key itself is never stored or logged.
-- key_hint is the end of the key shown in its place (hub_keys::hint: at most 4 characters).
-- key_set_by: the admin who set it (NULL once that account is deleted).
-- base_url: Azure OpenAI's resource endpoint (https://<resource>.openai.azure.com) or the
-- OpenAI-compatible server's base URL, checked against the outbound policy before it is stored;
-- api_version: Azure OpenAI's api-version (2024-10-21, 2025-04-01-preview, preview). Both only
-- for the providers that have them.
-- last_test_*: the result of the last "test" call (POST /api/admin/providers/{provider}/test).
CREATE TABLE provider_credentials (
    provider text PRIMARY KEY CHECK (
        provider IN ('openai', 'anthropic', 'gemini', 'mistral', 'xai', 'azure_openai', 'openai_compatible')
    ),
    encrypted_key text CHECK (encrypted_key <> '' AND length(encrypted_key) <= 4096),
    key_hint text CHECK (length(key_hint) <= 8),
    key_set_by uuid REFERENCES app_users (id) ON DELETE SET NULL,
    key_set_at timestamptz,
    base_url text CHECK (base_url <> '' AND length(base_url) <= 2048),
    api_version text CHECK (api_version ~ '^[A-Za-z0-9.-]{1,32}$'),
    last_test_ok boolean,
    last_test_latency_ms integer CHECK (last_test_latency_ms >= 0),
    last_test_error text CHECK (length(last_test_error) <= 1000),
    last_tested_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((encrypted_key IS NULL) = (key_hint IS NULL) AND (encrypted_key IS NULL) = (key_set_at IS NULL)),
    CHECK (base_url IS NULL OR provider IN ('azure_openai', 'openai_compatible')),
    CHECK (api_version IS NULL OR provider = 'azure_openai'),
    CHECK ((last_test_ok IS NULL) = (last_tested_at IS NULL))
);
