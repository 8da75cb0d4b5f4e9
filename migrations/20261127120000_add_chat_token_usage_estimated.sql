-- U4: a provider that reports no usage for a request (some OpenAI-compatible servers, a stream
-- that broke before its usage event) still gets a usage row, with tokens estimated from the
-- text; estimated marks such rows so that reports can tell them from reported counts.
ALTER TABLE chat_token_usage ADD COLUMN estimated boolean NOT NULL DEFAULT false;
