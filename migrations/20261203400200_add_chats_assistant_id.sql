-- K3: a chat may be started with an assistant. Its system prompt, model and temperature are read
-- at each answer; deleting the assistant leaves the chat (and its answers) as it is, without one.
ALTER TABLE chats
    ADD COLUMN assistant_id uuid REFERENCES assistants (id) ON DELETE SET NULL;
CREATE INDEX chats_assistant_id_idx ON chats (assistant_id) WHERE assistant_id IS NOT NULL;
