-- A3 (cost report): daily sums of chat_token_usage, kept by triggers in the statement that
-- changes a usage row, so that the report reads one row per day and group instead of one per
-- request. Two rollups, one per question the report asks:
--   usage_daily_models  (day, provider, model): the totals and the breakdowns by model, by
--                        provider and by day (a few rows per day, whatever the number of users);
--   usage_daily_users   (day, user_id): the breakdown by user (one row per user and active day;
--                        user_id NULL gathers the usage of deleted accounts).
-- day is the UTC date of created_at. The report adds the raw rows of the partial days at the
-- ends of its range (hub_db::usage::CostSpan). Sums are exact (numeric cost); a group whose
-- last request went away (a deleted usage row) is removed.
--
-- Usage rows are written one statement at a time (autocommit), so a rollup row is locked only
-- for the length of that statement: concurrent answers on the same model wait for each other
-- for well under a millisecond.

CREATE TABLE usage_daily_models (
    day date NOT NULL,
    provider text NOT NULL,
    model text NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cached_tokens bigint NOT NULL,
    cost numeric NOT NULL,
    requests bigint NOT NULL CHECK (requests > 0),
    PRIMARY KEY (day, provider, model)
) WITH (fillfactor = 80);

CREATE TABLE usage_daily_users (
    day date NOT NULL,
    user_id uuid,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cached_tokens bigint NOT NULL,
    cost numeric NOT NULL,
    requests bigint NOT NULL CHECK (requests > 0),
    CONSTRAINT usage_daily_users_key UNIQUE NULLS NOT DISTINCT (day, user_id)
) WITH (fillfactor = 80);

-- Adds the sums of one usage row to its groups (sign 1) or takes them away (sign -1), in the
-- rollups named (models, users). A group left without requests is deleted.
CREATE FUNCTION usage_daily_apply(r chat_token_usage, sign integer, models boolean, users boolean)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    d date := (r.created_at AT TIME ZONE 'UTC')::date;
BEGIN
    IF models AND sign > 0 THEN
        INSERT INTO usage_daily_models AS t
            (day, provider, model, input_tokens, output_tokens, cached_tokens, cost, requests)
        VALUES (d, r.provider, r.model, r.input_tokens, r.output_tokens, r.cached_tokens, r.cost, 1)
        ON CONFLICT (day, provider, model) DO UPDATE SET
            input_tokens = t.input_tokens + excluded.input_tokens,
            output_tokens = t.output_tokens + excluded.output_tokens,
            cached_tokens = t.cached_tokens + excluded.cached_tokens,
            cost = t.cost + excluded.cost,
            requests = t.requests + 1;
    ELSIF models THEN
        DELETE FROM usage_daily_models
        WHERE day = d AND provider = r.provider AND model = r.model AND requests <= 1;
        IF NOT FOUND THEN
            UPDATE usage_daily_models SET
                input_tokens = input_tokens - r.input_tokens,
                output_tokens = output_tokens - r.output_tokens,
                cached_tokens = cached_tokens - r.cached_tokens,
                cost = cost - r.cost,
                requests = requests - 1
            WHERE day = d AND provider = r.provider AND model = r.model;
        END IF;
    END IF;
    IF users AND sign > 0 THEN
        INSERT INTO usage_daily_users AS t
            (day, user_id, input_tokens, output_tokens, cached_tokens, cost, requests)
        VALUES (d, r.user_id, r.input_tokens, r.output_tokens, r.cached_tokens, r.cost, 1)
        ON CONFLICT ON CONSTRAINT usage_daily_users_key DO UPDATE SET
            input_tokens = t.input_tokens + excluded.input_tokens,
            output_tokens = t.output_tokens + excluded.output_tokens,
            cached_tokens = t.cached_tokens + excluded.cached_tokens,
            cost = t.cost + excluded.cost,
            requests = t.requests + 1;
    ELSIF users AND r.user_id IS NULL THEN
        DELETE FROM usage_daily_users WHERE day = d AND user_id IS NULL AND requests <= 1;
        IF NOT FOUND THEN
            UPDATE usage_daily_users SET
                input_tokens = input_tokens - r.input_tokens,
                output_tokens = output_tokens - r.output_tokens,
                cached_tokens = cached_tokens - r.cached_tokens,
                cost = cost - r.cost,
                requests = requests - 1
            WHERE day = d AND user_id IS NULL;
        END IF;
    ELSIF users THEN
        DELETE FROM usage_daily_users WHERE day = d AND user_id = r.user_id AND requests <= 1;
        IF NOT FOUND THEN
            UPDATE usage_daily_users SET
                input_tokens = input_tokens - r.input_tokens,
                output_tokens = output_tokens - r.output_tokens,
                cached_tokens = cached_tokens - r.cached_tokens,
                cost = cost - r.cost,
                requests = requests - 1
            WHERE day = d AND user_id = r.user_id;
        END IF;
    END IF;
END
$$;

CREATE FUNCTION usage_daily_track() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    sums_changed boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM usage_daily_apply(NEW, 1, true, true);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM usage_daily_apply(OLD, -1, true, true);
    ELSE
        sums_changed := (OLD.input_tokens, OLD.output_tokens, OLD.cached_tokens, OLD.cost,
                         (OLD.created_at AT TIME ZONE 'UTC')::date)
            IS DISTINCT FROM (NEW.input_tokens, NEW.output_tokens, NEW.cached_tokens, NEW.cost,
                              (NEW.created_at AT TIME ZONE 'UTC')::date);
        -- A deleted account sets user_id to NULL: only the users' rollup moves.
        IF sums_changed OR (OLD.provider, OLD.model) IS DISTINCT FROM (NEW.provider, NEW.model) THEN
            PERFORM usage_daily_apply(OLD, -1, true, false);
            PERFORM usage_daily_apply(NEW, 1, true, false);
        END IF;
        IF sums_changed OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
            PERFORM usage_daily_apply(OLD, -1, false, true);
            PERFORM usage_daily_apply(NEW, 1, false, true);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION usage_daily_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE usage_daily_models, usage_daily_users;
    RETURN NULL;
END
$$;

-- No writer may slip between the backfill and the triggers.
LOCK TABLE chat_token_usage IN SHARE MODE;

CREATE TRIGGER usage_daily_track
AFTER INSERT OR DELETE OR UPDATE OF user_id, provider, model, input_tokens, output_tokens,
    cached_tokens, cost, created_at
ON chat_token_usage
FOR EACH ROW EXECUTE FUNCTION usage_daily_track();

CREATE TRIGGER usage_daily_clear
AFTER TRUNCATE ON chat_token_usage
FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_clear();

INSERT INTO usage_daily_models
SELECT (created_at AT TIME ZONE 'UTC')::date, provider, model, sum(input_tokens),
       sum(output_tokens), sum(cached_tokens), sum(cost), count(*)
FROM chat_token_usage
GROUP BY 1, 2, 3;

INSERT INTO usage_daily_users
SELECT (created_at AT TIME ZONE 'UTC')::date, user_id, sum(input_tokens), sum(output_tokens),
       sum(cached_tokens), sum(cost), count(*)
FROM chat_token_usage
GROUP BY 1, 2;
