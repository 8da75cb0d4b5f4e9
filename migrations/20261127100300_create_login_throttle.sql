-- Failed-login counters per account (normalised email, known or not) and per client address:
-- failures within the window slow down further attempts and then lock the key (blocked_until).
CREATE TABLE login_throttle (
    scope text NOT NULL CHECK (scope IN ('account', 'address')),
    key text NOT NULL,
    failures integer NOT NULL CHECK (failures >= 0),
    last_failure_at timestamptz NOT NULL,
    blocked_until timestamptz,
    PRIMARY KEY (scope, key)
);
