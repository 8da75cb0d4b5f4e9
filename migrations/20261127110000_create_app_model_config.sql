-- A5: the models the hub offers, configured by admins. model_id is the hub's id of the model,
-- unique across providers; for every provider but Azure OpenAI it is also the id sent to the
-- provider, while an Azure model is served by its deployment (azure_deployment, P5).
-- Prices are USD per million tokens (cached_input: the prompt-cache price, NULL when the model
-- has none, so cached tokens cost the input price). supports_temperature is false for reasoning
-- models, which accept only their default. At most one model is the default, and it is enabled.
CREATE TABLE app_model_config (
    model_id text PRIMARY KEY CHECK (model_id ~ '^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$'),
    provider text NOT NULL CHECK (
        provider IN ('openai', 'anthropic', 'gemini', 'mistral', 'xai', 'azure_openai', 'openai_compatible')
    ),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    enabled boolean NOT NULL DEFAULT true,
    is_default boolean NOT NULL DEFAULT false,
    input_price_per_million numeric NOT NULL DEFAULT 0
        CHECK (input_price_per_million BETWEEN 0 AND 1000000),
    output_price_per_million numeric NOT NULL DEFAULT 0
        CHECK (output_price_per_million BETWEEN 0 AND 1000000),
    cached_input_price_per_million numeric
        CHECK (cached_input_price_per_million BETWEEN 0 AND 1000000),
    context_window integer CHECK (context_window > 0),
    azure_deployment text CHECK (azure_deployment <> '' AND length(azure_deployment) <= 64),
    supports_temperature boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (enabled OR NOT is_default),
    CHECK (provider = 'azure_openai' OR azure_deployment IS NULL),
    CHECK (provider <> 'azure_openai' OR NOT enabled OR azure_deployment IS NOT NULL)
);

CREATE UNIQUE INDEX app_model_config_one_default_key ON app_model_config (is_default) WHERE is_default;
