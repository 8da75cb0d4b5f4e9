-- C1, C3: conversations, each owned by one user. Ids are uuid v7 (from the app). title is NULL
-- until set by the user or by auto-titling (C6). model NULL means the default model (also when
-- an admin removes the chosen one); temperature NULL means the model's default.
-- updated_at is the last activity (a new message): the chat list is ordered by it.
CREATE TABLE chats (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES app_users (id) ON DELETE CASCADE,
    title text CHECK (length(title) BETWEEN 1 AND 200),
    model text REFERENCES app_model_config (model_id) ON UPDATE CASCADE ON DELETE SET NULL,
    temperature double precision CHECK (temperature BETWEEN 0 AND 2),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX chats_user_id_updated_at_idx ON chats (user_id, updated_at DESC, id DESC);
CREATE INDEX chats_model_idx ON chats (model) WHERE model IS NOT NULL;
