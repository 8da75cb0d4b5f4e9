-- C3: the messages of a chat, deleted with it. Ids are uuid v7 (from the app). An assistant
-- message is stored when its answer starts (status 'partial') and finalised when it ends:
-- 'complete', 'partial' (the client went away or the provider stopped mid-answer: content is
-- what was generated) or 'error' (with the error text). model is the model that answered.
CREATE TABLE chat_messages (
    id uuid PRIMARY KEY,
    chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content text NOT NULL,
    model text,
    status text NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'partial', 'error')),
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (role = 'assistant' OR status = 'complete'),
    CHECK (status <> 'complete' OR error IS NULL),
    CHECK (status <> 'error' OR error IS NOT NULL)
);

CREATE INDEX chat_messages_chat_id_created_at_idx ON chat_messages (chat_id, created_at, id);
