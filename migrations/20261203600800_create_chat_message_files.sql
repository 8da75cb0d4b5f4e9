-- K10: knowledge files attached to a user's message (ready files the asker reads, checked on
-- write); from then on every answer of the chat retrieves from them too. Gone with the message
-- or with the file. The second index serves the cascade when a file is deleted.
CREATE TABLE chat_message_files (
    message_id uuid NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    file_id uuid NOT NULL REFERENCES knowledge_files (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, file_id)
);
CREATE INDEX chat_message_files_file_id_idx ON chat_message_files (file_id);
