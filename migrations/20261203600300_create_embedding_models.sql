-- K9: the embedding models admins may choose from, and the one in use. Like app_model_config:
-- model_id is the hub's id (for every provider but Azure OpenAI also the provider's; an Azure
-- model is served by its deployment). dimension: the length of its vectors as the hub stores
-- them, one of the sizes knowledge_chunks has an HNSW index for (models that can shorten their
-- vectors, OpenAI's text-embedding-3 and Gemini's, are asked for exactly this many). The price
-- is USD per million input tokens. At most one model is active: the one files and questions are
-- embedded with; none active means keyword search only (a fresh install works offline).
CREATE TABLE embedding_models (
    model_id text PRIMARY KEY CHECK (model_id ~ '^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$'),
    provider text NOT NULL CHECK (
        provider IN ('openai', 'gemini', 'mistral', 'azure_openai', 'openai_compatible')
    ),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    dimension integer NOT NULL CHECK (dimension IN (256, 384, 512, 768, 1024, 1536)),
    input_price_per_million numeric NOT NULL DEFAULT 0
        CHECK (input_price_per_million BETWEEN 0 AND 1000000),
    azure_deployment text CHECK (azure_deployment <> '' AND length(azure_deployment) <= 64),
    active boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((provider = 'azure_openai') = (azure_deployment IS NOT NULL))
);

CREATE UNIQUE INDEX embedding_models_one_active_key ON embedding_models (active) WHERE active;

-- The providers' current embedding models (prices as published); none active.
INSERT INTO embedding_models (model_id, provider, display_name, dimension, input_price_per_million)
VALUES
    ('text-embedding-3-small', 'openai', 'OpenAI text-embedding-3-small', 1536, 0.02),
    ('text-embedding-3-large', 'openai', 'OpenAI text-embedding-3-large (1536)', 1536, 0.13),
    ('gemini-embedding-001', 'gemini', 'Gemini Embedding (768)', 768, 0.15),
    ('mistral-embed', 'mistral', 'Mistral Embed', 1024, 0.10);
