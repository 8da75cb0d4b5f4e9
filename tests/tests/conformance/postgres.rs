//! `spin:postgres@4.0.0` as Spin 4 maps it: every type of the mapping round-trips, the types
//! Spin does not map come back as `other`/`unsupported`, timestamptz and `$1::vector` fail as
//! they do under Spin, SQL errors are Postgres errors (with their SQLSTATE), and a transaction
//! lives on one connection.

use serde_json::{Value, json};

use crate::helpers::{TestDb, error, execute, main_app, pg_steps, query, rows};

/// A value bound as `param` to `$1::<pg_type>` comes back with `data_type` and `expected`.
struct Case {
    pg_type: &'static str,
    param: Value,
    data_type: Value,
    expected: Value,
}

fn case(pg_type: &'static str, param: Value, data_type: &str, expected: Option<Value>) -> Case {
    Case {
        pg_type,
        expected: expected.unwrap_or_else(|| param.clone()),
        param,
        data_type: json!(data_type),
    }
}

fn jsonb_bytes(value: &Value) -> Value {
    json!(serde_json::to_vec(value).unwrap())
}

fn cases() -> Vec<Case> {
    let doc = json!({ "b": [1, 2, { "c": null }], "a": "x" });
    vec![
        case("bool", json!({ "boolean": true }), "boolean", None),
        case("int2", json!({ "int16": -32768 }), "int16", None),
        case("int4", json!({ "int32": 2147483647 }), "int32", None),
        case(
            "int8",
            json!({ "int64": 9223372036854775807i64 }),
            "int64",
            None,
        ),
        case("float4", json!({ "floating32": 1.5 }), "floating32", None),
        case(
            "float8",
            json!({ "floating64": -12345.678901 }),
            "floating64",
            None,
        ),
        case("text", json!({ "str": "héllo, wörld" }), "str", None),
        case("varchar", json!({ "str": "v" }), "str", None),
        case(
            "char(3)",
            json!({ "str": "ab" }),
            "str",
            Some(json!({ "str": "ab " })),
        ),
        case(
            "bytea",
            json!({ "binary": [0, 1, 254, 255] }),
            "binary",
            None,
        ),
        case("date", json!({ "date": [2024, 2, 29] }), "date", None),
        case(
            "time",
            json!({ "time": [23, 59, 58, 123_456_000] }),
            "time",
            None,
        ),
        case(
            "timestamp",
            json!({ "datetime": [2024, 2, 29, 23, 59, 58, 123_456_000] }),
            "datetime",
            None,
        ),
        case(
            "uuid",
            json!({ "uuid": "67E55044-10B1-426F-9247-BB680E5FE0C8" }),
            "uuid",
            Some(json!({ "uuid": "67e55044-10b1-426f-9247-bb680e5fe0c8" })),
        ),
        case(
            "jsonb",
            json!({ "jsonb": jsonb_bytes(&doc) }),
            "jsonb",
            None,
        ),
        case("numeric", json!({ "decimal": "1.50" }), "decimal", None),
        case(
            "numeric",
            json!({ "decimal": "-123456789012345.000001" }),
            "decimal",
            None,
        ),
        case(
            "int4range",
            json!({ "range_int32": [[1, "inclusive"], [5, "exclusive"]] }),
            "range_int32",
            None,
        ),
        // Postgres normalises discrete ranges to [a,b).
        case(
            "int4range",
            json!({ "range_int32": [[1, "exclusive"], [5, "inclusive"]] }),
            "range_int32",
            Some(json!({ "range_int32": [[2, "inclusive"], [6, "exclusive"]] })),
        ),
        case(
            "int8range",
            json!({ "range_int64": [[-10_000_000_000i64, "inclusive"], null] }),
            "range_int64",
            None,
        ),
        case(
            "numrange",
            json!({ "range_decimal": [["1.5", "inclusive"], ["2.5", "exclusive"]] }),
            "range_decimal",
            None,
        ),
        case(
            "int4[]",
            json!({ "array_int32": [1, null, -3] }),
            "array_int32",
            None,
        ),
        case(
            "int8[]",
            json!({ "array_int64": [9_000_000_000i64, null] }),
            "array_int64",
            None,
        ),
        case(
            "numeric[]",
            json!({ "array_decimal": ["1.5", null, "2"] }),
            "array_decimal",
            None,
        ),
        case(
            "text[]",
            json!({ "array_str": ["a", null, "c"] }),
            "array_str",
            None,
        ),
        case(
            "interval",
            json!({ "interval": { "micros": 3_723_000_001i64, "days": -2, "months": 14 } }),
            "interval",
            None,
        ),
    ]
}

/// The jsonb value as JSON (its bytes' exact layout is not part of the contract).
fn normalise(value: &Value) -> Value {
    match value.get("jsonb").and_then(Value::as_array) {
        Some(bytes) => {
            let bytes: Vec<u8> = bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect();
            json!({ "jsonb(parsed)": serde_json::from_slice::<Value>(&bytes).unwrap() })
        }
        None => value.clone(),
    }
}

#[tokio::test]
async fn every_mapped_type_round_trips_as_a_parameter_and_a_column() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let cases = cases();

    // 1. As a parameter, straight back: `SELECT $1::<type>`.
    let steps = cases
        .iter()
        .map(|c| query(&format!("SELECT $1::{} AS v", c.pg_type), json!([c.param])))
        .collect();
    let results = pg_steps(app, &db, steps).await;

    // 2. Stored in a table column of that type, then read back.
    let columns: Vec<String> = (0..cases.len()).map(|i| format!("c{i}")).collect();
    let create = format!(
        "CREATE TABLE all_types (id int4 PRIMARY KEY, {})",
        cases
            .iter()
            .zip(&columns)
            .map(|(c, name)| format!("{name} {}", c.pg_type))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let placeholders: Vec<String> = (2..cases.len() + 2).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO all_types (id, {}) VALUES ($1, {})",
        columns.join(", "),
        placeholders.join(", ")
    );
    let mut params = vec![json!({ "int32": 1 })];
    params.extend(cases.iter().map(|c| c.param.clone()));
    let table = pg_steps(
        app,
        &db,
        vec![
            execute(&create, json!([])),
            execute(&insert, Value::Array(params)),
            query(
                &format!("SELECT {} FROM all_types", columns.join(", ")),
                json!([]),
            ),
        ],
    )
    .await;
    assert_eq!(table[0], json!({ "affected": 0 }), "{}", table[0]);
    assert_eq!(table[1], json!({ "affected": 1 }), "{}", table[1]);
    let stored = rows(&table[2]);

    let mut wrong = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let single = rows(&results[i]);
        let got = [
            (
                "parameter",
                &single["columns"][0]["data_type"],
                &single["rows"][0][0],
            ),
            (
                "column",
                &stored["columns"][i]["data_type"],
                &stored["rows"][0][i],
            ),
        ];
        for (how, data_type, value) in got {
            if *data_type != c.data_type || normalise(value) != normalise(&c.expected) {
                wrong.push(format!(
                    "{} as {how}: got {data_type} {value}, expected {} {}",
                    c.pg_type, c.data_type, c.expected
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "type mapping differs from Spin's:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn nulls_of_each_type_are_db_null() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let cases = cases();
    let select = cases
        .iter()
        .enumerate()
        .map(|(i, c)| format!("NULL::{} AS n{i}", c.pg_type))
        .collect::<Vec<_>>()
        .join(", ");
    let results = pg_steps(
        app,
        &db,
        vec![
            query(&format!("SELECT {select}"), json!([])),
            // A db-null parameter fits any placeholder type.
            query(
                "SELECT $1::int4 AS a, $2::text AS b, $3::numeric AS c",
                json!([
                    { "db_null": null }, { "db_null": null }, { "db_null": null }
                ]),
            ),
        ],
    )
    .await;
    let set = rows(&results[0]);
    for (i, c) in cases.iter().enumerate() {
        assert_eq!(
            set["columns"][i]["data_type"], c.data_type,
            "NULL::{}: {set}",
            c.pg_type
        );
        assert_eq!(
            set["rows"][0][i],
            json!({ "db_null": null }),
            "NULL::{}: {set}",
            c.pg_type
        );
    }
    let set = rows(&results[1]);
    assert_eq!(
        set["rows"][0],
        json!([{ "db_null": null }, { "db_null": null }, { "db_null": null }])
    );
}

#[tokio::test]
async fn unmapped_types_come_back_as_other_and_unsupported() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let results = pg_steps(
        app,
        &db,
        vec![
            query("SELECT '10.0.0.1'::inet AS v", json!([])),
            query("SELECT '{\"a\":1}'::json AS v", json!([])),
            query("SELECT ARRAY[1,2]::int2[] AS v", json!([])),
            // An `int8` parameter is a one-byte "char" (Spin binds it as an i8).
            query("SELECT $1::\"char\" AS v", json!([{ "int8": 65 }])),
        ],
    )
    .await;
    let expected_types = ["inet", "json", "_int2", "char"];
    for (step, ty) in results.iter().zip(expected_types) {
        let set = rows(step);
        assert_eq!(
            set["columns"][0]["data_type"],
            json!({ "other": ty }),
            "{set}"
        );
        assert!(set["rows"][0][0]["unsupported"].is_array(), "{set}");
    }
    assert_eq!(
        rows(&results[1])["rows"][0][0]["unsupported"],
        json!(b"{\"a\":1}".to_vec())
    );
    assert_eq!(rows(&results[3])["rows"][0][0]["unsupported"], json!([65]));
}

#[tokio::test]
async fn timestamptz_fails_as_under_spin() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let results = pg_steps(
        app,
        &db,
        vec![
            query("SELECT now() AS t", json!([])),
            query("SELECT NULL::timestamptz AS t", json!([])),
            // The documented ways around it.
            query(
                "SELECT timestamptz '2024-01-02 03:04:05+00' AT TIME ZONE 'UTC' AS t",
                json!([]),
            ),
            query(
                "SELECT extract(epoch FROM timestamptz '2024-01-02 03:04:05+00')::int8 AS t",
                json!([]),
            ),
            // A `timestamp` parameter (epoch seconds) fits timestamptz only ...
            query(
                "SELECT $1::timestamptz AT TIME ZONE 'UTC' AS t",
                json!([{ "timestamp": 1_704_164_645 }]),
            ),
            query(
                "SELECT $1::timestamp AS t",
                json!([{ "timestamp": 1_704_164_645 }]),
            ),
            // ... and a `datetime` parameter fits timestamp only.
            query(
                "SELECT $1::timestamptz AS t",
                json!([{ "datetime": [2024, 1, 2, 3, 4, 5, 0] }]),
            ),
        ],
    )
    .await;
    for step in &results[0..2] {
        let e = error(step);
        assert_eq!(e["kind"], "query_failed", "{e}");
        assert!(
            e["message"].as_str().unwrap().contains("timestamptz"),
            "{e}"
        );
    }
    assert_eq!(
        rows(&results[2])["rows"][0][0],
        json!({ "datetime": [2024, 1, 2, 3, 4, 5, 0] })
    );
    assert_eq!(rows(&results[2])["columns"][0]["data_type"], "datetime");
    assert_eq!(
        rows(&results[3])["rows"][0][0],
        json!({ "int64": 1_704_164_645 })
    );
    assert_eq!(
        rows(&results[4])["rows"][0][0],
        json!({ "datetime": [2024, 1, 2, 3, 4, 5, 0] })
    );
    for step in &results[5..7] {
        let e = error(step);
        assert_eq!(e["kind"], "query_failed", "{e}");
        assert!(e["message"].as_str().unwrap().contains("WrongType"), "{e}");
    }
}

#[tokio::test]
async fn vector_goes_in_as_text_cast_and_out_as_unsupported_unless_cast() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let embedding = json!([{ "str": "[1,2.5,-3]" }]);
    let results = pg_steps(
        app,
        &db,
        vec![
            execute("CREATE EXTENSION IF NOT EXISTS vector", json!([])),
            execute(
                "CREATE TABLE docs (id serial PRIMARY KEY, embedding vector(3))",
                json!([]),
            ),
            // A `str` is bound as a String, which only fits text-typed placeholders.
            execute(
                "INSERT INTO docs (embedding) VALUES ($1::vector)",
                embedding.clone(),
            ),
            query("SELECT $1::vector AS v", embedding.clone()),
            execute(
                "INSERT INTO docs (embedding) VALUES ($1::text::vector)",
                embedding.clone(),
            ),
            query("SELECT embedding FROM docs", json!([])),
            query("SELECT embedding::text AS e FROM docs", json!([])),
            query(
                "SELECT embedding <-> $1::text::vector AS d FROM docs",
                json!([{ "str": "[1,2.5,-2]" }]),
            ),
        ],
    )
    .await;
    for step in &results[0..2] {
        assert!(step.get("affected").is_some(), "{step}");
    }
    for step in &results[2..4] {
        let e = error(step);
        assert_eq!(e["kind"], "query_failed", "{e}");
        let text = e["message"].as_str().unwrap();
        assert!(text.contains("WrongType") && text.contains("String"), "{e}");
    }
    assert_eq!(results[4], json!({ "affected": 1 }));
    let raw = rows(&results[5]);
    assert_eq!(
        raw["columns"][0]["data_type"],
        json!({ "other": "vector" }),
        "{raw}"
    );
    assert!(raw["rows"][0][0]["unsupported"].is_array(), "{raw}");
    assert_eq!(
        rows(&results[6])["rows"][0][0],
        json!({ "str": "[1,2.5,-3]" })
    );
    assert_eq!(
        rows(&results[7])["rows"][0][0],
        json!({ "floating64": 1.0 })
    );
}

#[tokio::test]
async fn sql_errors_are_postgres_errors_not_traps() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let results = pg_steps(
        app,
        &db,
        vec![
            query("SELEC 1", json!([])),
            query("SELECT * FROM no_such_table", json!([])),
            execute("CREATE TABLE u (id int4 PRIMARY KEY)", json!([])),
            execute("INSERT INTO u VALUES (1)", json!([])),
            execute("INSERT INTO u VALUES (1)", json!([])),
            query("SELECT 1 / 0 AS x", json!([])),
            // Values that cannot be converted before sending: bad-parameter from query,
            // value-conversion-failed from execute (as in Spin).
            query("SELECT $1::uuid AS x", json!([{ "uuid": "not-a-uuid" }])),
            execute("INSERT INTO u VALUES ($1)", json!([{ "decimal": "1.2.3" }])),
            // Wrong parameter count.
            query("SELECT $1::int4 AS x", json!([])),
            // The connection is still usable after all of that.
            query("SELECT count(*)::int4 AS n FROM u", json!([])),
        ],
    )
    .await;
    let db_error = |i: usize, code: &str| {
        let e = error(&results[i]);
        assert_eq!(e["kind"], "query_failed", "step {i}: {e}");
        assert_eq!(e["db_error"]["code"], code, "step {i}: {e}");
        assert_eq!(e["db_error"]["severity"], "ERROR", "step {i}: {e}");
        assert!(
            e["db_error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "step {i}: {e}"
        );
    };
    db_error(0, "42601");
    db_error(1, "42P01");
    db_error(4, "23505");
    assert_eq!(
        error(&results[4])["db_error"]["extras"]
            .as_array()
            .map(|e| e.iter().any(|kv| kv[0] == "constraint")),
        Some(true),
        "{}",
        results[4]
    );
    let e = error(&results[5]);
    assert_eq!(e["kind"], "query_failed", "{e}");
    assert!(
        e.to_string().contains("division by zero") || e["db_error"]["code"] == "22012",
        "{e}"
    );
    assert_eq!(
        error(&results[6])["kind"],
        "bad_parameter",
        "{}",
        results[6]
    );
    assert_eq!(
        error(&results[7])["kind"],
        "value_conversion_failed",
        "{}",
        results[7]
    );
    assert_eq!(error(&results[8])["kind"], "query_failed", "{}", results[8]);
    assert_eq!(rows(&results[9])["rows"][0][0], json!({ "int32": 1 }));

    // The component was not trapped: the app keeps answering.
    let again = pg_steps(app, &db, vec![query("SELECT 1::int4 AS one", json!([]))]).await;
    assert_eq!(rows(&again[0])["rows"][0][0], json!({ "int32": 1 }));
}

#[tokio::test]
async fn empty_result_has_no_columns_as_under_spin() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let results = pg_steps(
        app,
        &db,
        vec![query("SELECT 1::int4 AS x WHERE false", json!([]))],
    )
    .await;
    assert_eq!(results[0], json!({ "rows": { "columns": [], "rows": [] } }));
}

#[tokio::test]
async fn transactions_on_one_connection_roll_back_and_commit() {
    let app = &main_app().app;
    let db = TestDb::create().await;
    let row = |id: i32| json!([{ "int32": id }]);
    let results = pg_steps(
        app,
        &db,
        vec![
            execute("CREATE TABLE t (id int4 PRIMARY KEY)", json!([])),
            execute("BEGIN", json!([])),
            execute("INSERT INTO t VALUES ($1)", row(1)),
            query("SELECT count(*)::int4 AS n FROM t", json!([])),
            execute("ROLLBACK", json!([])),
            execute("BEGIN", json!([])),
            execute("INSERT INTO t VALUES ($1)", row(2)),
            execute("COMMIT", json!([])),
            // An error inside a transaction aborts it; ROLLBACK ends it.
            execute("BEGIN", json!([])),
            execute("INSERT INTO t VALUES ($1)", row(3)),
            execute("INSERT INTO t VALUES ($1)", row(2)),
            execute("INSERT INTO t VALUES ($1)", row(4)),
            execute("ROLLBACK", json!([])),
            query("SELECT id FROM t ORDER BY id", json!([])),
        ],
    )
    .await;
    // Inside the first transaction the insert is visible ...
    assert_eq!(
        rows(&results[3])["rows"][0][0],
        json!({ "int32": 1 }),
        "{}",
        results[3]
    );
    assert_eq!(error(&results[10])["db_error"]["code"], "23505");
    assert_eq!(
        error(&results[11])["db_error"]["code"],
        "25P02",
        "{}",
        results[11]
    );
    // ... and after ROLLBACK/COMMIT only the committed row is left.
    assert_eq!(
        rows(&results[13])["rows"],
        json!([[{ "int32": 2 }]]),
        "{}",
        results[13]
    );

    // Seen from another connection as well.
    let client = db.client().await;
    let ids: Vec<i32> = client
        .query("SELECT id FROM t ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![2]);
}

#[tokio::test]
async fn connections_to_hosts_not_allowed_are_refused() {
    let app = &main_app().app;
    let body = json!({
        "url": "postgres://hub:pw@127.0.0.2:5999/hub",
        "steps": [query("SELECT 1", json!([]))],
    });
    let reply = crate::helpers::post(&app.url("/conf/pg"), body.to_string()).await;
    let reply = reply.json();
    assert_eq!(reply["error"]["kind"], "connection_failed", "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not permitted"),
        "{reply}"
    );
}

#[tokio::test]
async fn statements_run_as_written_whatever_the_connection_has_prepared_before() {
    // The runner keeps each connection's prepared statements (Spin prepares anew each time):
    // a changed table, a `DEALLOCATE ALL` or `DISCARD ALL` by the guest, and a transaction
    // change nothing about what a statement returns.
    let app = &main_app().app;
    let db = TestDb::create().await;
    let select = || query("SELECT * FROM t ORDER BY a", json!([]));
    let columns = |step: &Value| -> Vec<String> {
        rows(step)["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let results = pg_steps(
        app,
        &db,
        vec![
            execute("CREATE TABLE t (a int4)", json!([])),
            execute("INSERT INTO t VALUES (1)", json!([])),
            select(),
            execute("ALTER TABLE t ADD COLUMN b text DEFAULT 'x'", json!([])),
            select(),
            execute("DEALLOCATE ALL", json!([])),
            select(),
            execute("DISCARD ALL", json!([])),
            select(),
            execute("BEGIN", json!([])),
            execute("ALTER TABLE t DROP COLUMN b", json!([])),
            select(),
            execute("COMMIT", json!([])),
            select(),
        ],
    )
    .await;
    assert_eq!(columns(&results[2]), ["a"], "{}", results[2]);
    for i in [4, 6, 8] {
        assert_eq!(columns(&results[i]), ["a", "b"], "step {i}: {}", results[i]);
        assert_eq!(
            rows(&results[i])["rows"],
            json!([[{ "int32": 1 }, { "str": "x" }]])
        );
    }
    for i in [11, 13] {
        assert_eq!(columns(&results[i]), ["a"], "step {i}: {}", results[i]);
    }

    // Another connection changes the table between two requests (the second one gets the
    // first one's pooled connection, with the statement kept).
    let client = db.client().await;
    client
        .batch_execute("ALTER TABLE t ADD COLUMN c int4 DEFAULT 7")
        .await
        .unwrap();
    let results = pg_steps(app, &db, vec![select()]).await;
    assert_eq!(columns(&results[0]), ["a", "c"], "{}", results[0]);
    client
        .batch_execute("ALTER TABLE t DROP COLUMN c")
        .await
        .unwrap();
    let results = pg_steps(app, &db, vec![select(), select()]).await;
    assert_eq!(columns(&results[1]), ["a"], "{}", results[1]);
}
