-- K11: the passages an answer was given (stored with the pending answer, shown as citations):
-- a JSON array of {index, file_id, file_name, collection_id, page, heading_path, ordinal,
-- snippet, score}, index 1..n as the model cites them. Empty for every other message.
ALTER TABLE chat_messages
    ADD COLUMN sources jsonb NOT NULL DEFAULT '[]'::jsonb
        CHECK (jsonb_typeof(sources) = 'array');
