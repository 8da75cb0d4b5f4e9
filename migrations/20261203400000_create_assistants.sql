-- K1, K2: assistants. owner_id NULL is a global assistant (created and changed by admins, seen by
-- everyone); otherwise a personal one, seen and changed by its owner only, gone with them.
-- Ids are uuid v7 (from the app): the lists are paged newest first by id. The CHECKs mirror the
-- limits of hub-assistants (characters, not bytes); the icon set is hub_api::AssistantIcon.
CREATE TABLE assistants (
    id uuid PRIMARY KEY,
    owner_id uuid REFERENCES app_users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    icon text NOT NULL CHECK (icon ~ '^[a-z][a-z_]{0,31}$'),
    system_prompt text NOT NULL CHECK (length(system_prompt) BETWEEN 1 AND 20000),
    -- The model and temperature the assistant answers with unless the user picks others; a
    -- model removed from the catalogue falls back to the default.
    model_id text REFERENCES app_model_config (model_id) ON UPDATE CASCADE ON DELETE SET NULL,
    temperature double precision CHECK (temperature BETWEEN 0 AND 2),
    -- Up to four example prompts shown on an empty chat: a JSON array of strings.
    starters jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (
        jsonb_typeof(starters) = 'array' AND jsonb_array_length(starters) <= 4
    ),
    created_by uuid REFERENCES app_users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The list (global + own, newest first): one range of each index.
CREATE INDEX assistants_global_id_idx ON assistants (id DESC) WHERE owner_id IS NULL;
CREATE INDEX assistants_owner_id_id_idx ON assistants (owner_id, id DESC) WHERE owner_id IS NOT NULL;
CREATE INDEX assistants_model_id_idx ON assistants (model_id) WHERE model_id IS NOT NULL;
