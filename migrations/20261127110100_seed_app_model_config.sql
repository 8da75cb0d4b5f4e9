-- A5: current models of each provider at their published list prices (USD per million tokens,
-- standard tier, prompts up to 200k tokens where a price depends on the prompt length).
-- Admins keep them current in the models tab. Reasoning models (GPT-5, Grok 4) take no
-- temperature. The Azure OpenAI example stays disabled until an admin sets its deployment.
INSERT INTO app_model_config (
    model_id, provider, display_name, enabled, is_default,
    input_price_per_million, output_price_per_million, cached_input_price_per_million,
    context_window, supports_temperature
) VALUES
    ('gpt-4o', 'openai', 'GPT-4o', true, false, 2.50, 10.00, 1.25, 128000, true),
    ('gpt-4o-mini', 'openai', 'GPT-4o mini', true, true, 0.15, 0.60, 0.075, 128000, true),
    ('gpt-4.1', 'openai', 'GPT-4.1', true, false, 2.00, 8.00, 0.50, 1047576, true),
    ('gpt-4.1-mini', 'openai', 'GPT-4.1 mini', true, false, 0.40, 1.60, 0.10, 1047576, true),
    ('gpt-5', 'openai', 'GPT-5', true, false, 1.25, 10.00, 0.125, 400000, false),
    ('gpt-5-mini', 'openai', 'GPT-5 mini', true, false, 0.25, 2.00, 0.025, 400000, false),
    ('claude-sonnet-4-5', 'anthropic', 'Claude Sonnet 4.5', true, false, 3.00, 15.00, 0.30, 200000, true),
    ('claude-opus-4-1', 'anthropic', 'Claude Opus 4.1', true, false, 15.00, 75.00, 1.50, 200000, true),
    ('claude-haiku-4-5', 'anthropic', 'Claude Haiku 4.5', true, false, 1.00, 5.00, 0.10, 200000, true),
    ('gemini-2.5-pro', 'gemini', 'Gemini 2.5 Pro', true, false, 1.25, 10.00, NULL, 1048576, true),
    ('gemini-2.5-flash', 'gemini', 'Gemini 2.5 Flash', true, false, 0.30, 2.50, NULL, 1048576, true),
    ('mistral-large-latest', 'mistral', 'Mistral Large', true, false, 2.00, 6.00, NULL, 131072, true),
    ('mistral-small-latest', 'mistral', 'Mistral Small', true, false, 0.10, 0.30, NULL, 131072, true),
    ('grok-4', 'xai', 'Grok 4', true, false, 3.00, 15.00, 0.75, 256000, false),
    ('grok-3-mini', 'xai', 'Grok 3 mini', true, false, 0.30, 0.50, 0.075, 131072, true),
    ('azure-gpt-4o', 'azure_openai', 'GPT-4o (Azure OpenAI)', false, false, 2.50, 10.00, 1.25, 128000, true)
ON CONFLICT (model_id) DO NOTHING;
