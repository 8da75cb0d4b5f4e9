-- A7 (tamper evidence): every audit row carries `hash`, the SHA-256 of a canonical encoding of
-- its content and of the previous row's hash (`prev_hash`), in the order of `seq` (1, 2, 3, ...,
-- without gaps). Writers (hub_db::audit::append) extend the chain one at a time: in one
-- transaction they lock the one row of audit_chain_head (SELECT ... FOR UPDATE: its row lock
-- orders concurrent writers), compute the hash, insert the row and move the head to it. `hub audit verify` and
-- GET /api/admin/audit/verify recompute the chain and report the first broken link.
--
-- The encoding (hub_db::audit::chain, which documents it): the canonical JSON (object keys
-- sorted by code point, no whitespace, minimal string escapes) of the array
--   [seq, id, actor_id, action, target, client_addr, user_agent, details, created_at, prev_hash]
-- with ids as lower-case hyphenated text, created_at as YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC),
-- prev_hash as 64 lower-case hex digits (64 zeros before the first row) and NULL as null.
-- The two functions below compute the same in SQL: the backfill of the rows written before this
-- migration uses them, and the tests check them against the Rust implementation.

CREATE FUNCTION audit_canonical_json(v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    out text;
    k text;
    e jsonb;
    first boolean := true;
BEGIN
    IF jsonb_typeof(v) = 'object' THEN
        out := '{';
        FOR k, e IN SELECT key, value FROM jsonb_each(v) ORDER BY key COLLATE "C" LOOP
            IF NOT first THEN out := out || ','; END IF;
            first := false;
            out := out || to_jsonb(k)::text || ':' || audit_canonical_json(e);
        END LOOP;
        RETURN out || '}';
    ELSIF jsonb_typeof(v) = 'array' THEN
        out := '[';
        FOR e IN SELECT value FROM jsonb_array_elements(v) WITH ORDINALITY AS t(value, n) ORDER BY n LOOP
            IF NOT first THEN out := out || ','; END IF;
            first := false;
            out := out || audit_canonical_json(e);
        END LOOP;
        RETURN out || ']';
    END IF;
    -- Strings (escaped as JSON), numbers, true, false, null: jsonb's own text.
    RETURN v::text;
END
$$;

CREATE FUNCTION audit_row_hash(
    seq bigint, id uuid, actor_id uuid, action text, target text, client_addr text,
    user_agent text, details jsonb, created_at timestamptz, prev_hash bytea
) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sha256(convert_to(audit_canonical_json(jsonb_build_array(
        seq, id::text, actor_id::text, action, target, client_addr, user_agent, details,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        encode(prev_hash, 'hex')
    )), 'UTF8'))
$$;

ALTER TABLE audit_logs
    ADD COLUMN seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash bytea;

-- The rows so far, in the order they were written.
UPDATE audit_logs a SET seq = o.n
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM audit_logs) o
WHERE a.id = o.id;

DO $$
DECLARE
    r record;
    prev bytea := decode(repeat('00', 32), 'hex');
BEGIN
    FOR r IN SELECT * FROM audit_logs ORDER BY seq LOOP
        UPDATE audit_logs
        SET prev_hash = prev,
            hash = audit_row_hash(r.seq, r.id, r.actor_id, r.action, r.target, r.client_addr,
                                  r.user_agent, r.details, r.created_at, prev)
        WHERE id = r.id
        RETURNING hash INTO prev;
    END LOOP;
END
$$;

ALTER TABLE audit_logs
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    ADD CONSTRAINT audit_logs_seq_key UNIQUE (seq),
    ADD CONSTRAINT audit_logs_seq_check CHECK (seq > 0),
    ADD CONSTRAINT audit_logs_hash_check CHECK (octet_length(hash) = 32 AND octet_length(prev_hash) = 32);

-- The end of the chain: the last row's seq and hash (0 and zeros while there is none).
CREATE TABLE audit_chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq bigint NOT NULL CHECK (seq >= 0),
    hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO audit_chain_head (seq, hash)
SELECT coalesce(max(seq), 0),
       coalesce((SELECT hash FROM audit_logs ORDER BY seq DESC LIMIT 1), decode(repeat('00', 32), 'hex'))
FROM audit_logs;

-- The list (GET /api/admin/audit) is newest first by seq, with one filter or more: each filter
-- column leads an index that ends in seq, so a filtered page is an index range scan. The time
-- range uses audit_logs_created_at_idx. The old created_at-ordered filter indexes go.
DROP INDEX audit_logs_action_created_at_idx;
DROP INDEX audit_logs_actor_id_idx;
CREATE INDEX audit_logs_action_seq_idx ON audit_logs (action, seq DESC);
CREATE INDEX audit_logs_actor_id_seq_idx ON audit_logs (actor_id, seq DESC);
CREATE INDEX audit_logs_target_seq_idx ON audit_logs (target, seq DESC);
