-- K4: prompt templates. owner_id NULL is a global template (admins), else a personal one.
-- body is checked by hub-templates when it is saved (syntax, limits); descriptions holds the
-- optional description of each variable, a JSON object from name to text. Ids are uuid v7.
CREATE TABLE prompt_templates (
    id uuid PRIMARY KEY,
    owner_id uuid REFERENCES app_users (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    descriptions jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(descriptions) = 'object'),
    created_by uuid REFERENCES app_users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX prompt_templates_global_id_idx ON prompt_templates (id DESC) WHERE owner_id IS NULL;
CREATE INDEX prompt_templates_owner_id_id_idx ON prompt_templates (owner_id, id DESC)
    WHERE owner_id IS NOT NULL;
