//! The hub's command-line tool `hub` (`cli/`) against the real app and PostgreSQL: what
//! `create-admin` writes is what the `auth` component reads (login, sessions, audit), bad input
//! is refused before anything is written, and no secret reaches the command line or the output.
//! And the tool's `hub_db::Db` reads and binds values exactly as the components' does.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use hub_cli::pg::PgDb;
use hub_db::{Db, Param, Value};
use hub_tests::{Hub, TestDb, cli_binary, migrate};
use serde_json::json;

/// `hub create-admin` with `args` on the hub's database; the password through
/// `HUB_ADMIN_PASSWORD` (`Env`) or standard input (`Stdin`).
enum Secret<'a> {
    Env(&'a str),
    Stdin(&'a str),
}

fn create_admin(db_url: &str, args: &[&str], secret: Secret<'_>) -> Output {
    let mut command = Command::new(cli_binary());
    command
        .arg("create-admin")
        .args(args)
        .env("SPIN_VARIABLE_DB_URL", db_url)
        .env_remove("HUB_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = match secret {
        Secret::Env(password) => {
            command.env("HUB_ADMIN_PASSWORD", password);
            String::new()
        }
        Secret::Stdin(line) => line.to_owned(),
    };
    let mut child = command.spawn().expect("running hub create-admin");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        // The tool may refuse before reading: a closed pipe is fine.
        let _ = stdin.write_all(input.as_bytes());
    }
    child
        .wait_with_output()
        .expect("waiting for hub create-admin")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns the id the tool printed after `admin <verb>: `.
fn printed_id(out: &Output, verb: &str) -> String {
    assert!(out.status.success(), "{}", stderr(out));
    let text = stdout(out);
    text.trim()
        .strip_prefix(&format!("admin {verb}: "))
        .unwrap_or_else(|| panic!("expected `admin {verb}: <id>`, got {text:?}"))
        .to_owned()
}

fn assert_refused(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(expected), "{}", stderr(out));
    assert!(stdout(out).is_empty(), "{}", stdout(out));
}

/// The first run (`scripts/run.sh`): `--if-no-admin --must-change-password` creates the first
/// admin once, who logs in and must change the generated password; later runs change nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_first_run_creates_one_admin_who_must_change_the_password() {
    let hub = Hub::spawn(|o| o).await;
    let url = hub.db.url();
    let first_run = [
        "--email",
        "admin@hub.localhost",
        "--if-no-admin",
        "--must-change-password",
    ];
    let out = create_admin(&url, &first_run, Secret::Env("generated 1234"));
    let id = printed_id(&out, "created");
    let admin = hub.login("admin@hub.localhost", "generated 1234").await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    assert_eq!(admin.body["user"]["is_admin"], true);
    assert!(
        hub.scalar::<bool>(&format!(
            "SELECT must_change_password FROM app_users WHERE id = '{id}'"
        ))
        .await
    );

    // The next start finds the admin and changes nothing.
    let out = create_admin(&url, &first_run, Secret::Env("generated 5678"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "admin exists");
    assert_eq!(
        hub.login("admin@hub.localhost", "generated 1234")
            .await
            .status,
        200
    );
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_admin_makes_an_active_admin() {
    let hub = Hub::spawn(|o| o).await;
    let url = hub.db.url();
    let named = [
        "--email",
        " Boss@Example.com ",
        "--display-name",
        "The Admin",
    ];

    // A new account.
    let out = create_admin(&url, &named, Secret::Env("admin password 1"));
    let id = printed_id(&out, "created");
    assert!(!stderr(&out).contains("admin password 1"));
    let admin = hub.login("boss@example.com", "admin password 1").await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    assert_eq!(admin.body["user"]["id"], id.as_str());
    assert_eq!(admin.body["user"]["is_admin"], true);
    assert_eq!(admin.body["user"]["display_name"], "The Admin");

    // Again, the password on standard input, no name: the same account keeps its id and name,
    // gets the new password, and its sessions end.
    let out = create_admin(
        &url,
        &["--email", "boss@example.com"],
        Secret::Stdin("admin password 2\n"),
    );
    assert_eq!(printed_id(&out, "updated"), id);
    assert!(!stdout(&out).contains("admin password 2"));
    assert!(!stderr(&out).contains("admin password 2"));
    hub.get("/api/auth/me", &admin.token("access_token"))
        .await
        .assert_error(401, "unauthenticated");
    hub.login("boss@example.com", "admin password 1")
        .await
        .assert_error(401, "invalid_credentials");
    let again = hub.login("boss@example.com", "admin password 2").await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["user"]["display_name"], "The Admin");
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 1);
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM auth_sessions WHERE revoked_reason = 'admin'")
            .await,
        1
    );

    // Each run left one audit record, without any secret.
    let audit = hub
        .texts(
            "SELECT action || ' ' || target || ' ' || details::text FROM audit_logs \
             WHERE action = 'auth.admin_set_by_cli' ORDER BY id",
        )
        .await;
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert!(audit[0].contains(&id) && audit[0].contains(r#""created": true"#));
    assert!(audit[1].contains(r#""created": false"#), "{audit:?}");
    let everything = hub
        .texts("SELECT row_to_json(a)::text FROM audit_logs a")
        .await
        .join("\n");
    assert!(!everything.contains("admin password"), "{everything}");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_admin_promotes_an_existing_user_and_ends_their_sessions() {
    let hub = Hub::spawn(|o| o).await;
    let url = hub.db.url();
    let token = hub.user("staff@example.com").await;
    let me = hub.get("/api/auth/me", &token).await.expect(200);
    assert_eq!(me["is_admin"], false, "{me:?}");

    let out = create_admin(
        &url,
        &["--email", "STAFF@example.com"],
        Secret::Env("new admin password"),
    );
    assert_eq!(printed_id(&out, "updated"), me["id"].as_str().unwrap());
    hub.get("/api/auth/me", &token)
        .await
        .assert_error(401, "unauthenticated");
    let admin = hub.login("staff@example.com", "new admin password").await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    assert_eq!(admin.body["user"]["is_admin"], true);
    assert_eq!(admin.body["user"]["display_name"], me["display_name"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_admin_refuses_bad_input_before_writing_anything() {
    let hub = Hub::spawn(|o| o).await;
    let url = hub.db.url();
    let email = ["--email", "boss@example.com"];

    let out = create_admin(&url, &email, Secret::Env("short"));
    assert_refused(&out, "invalid `password`: must be at least 8 characters");
    assert!(!stderr(&out).contains("short\n"));
    let out = create_admin(&url, &email, Secret::Stdin(""));
    assert_refused(&out, "no password: set HUB_ADMIN_PASSWORD");
    let out = create_admin(
        &url,
        &["--email", "not an email"],
        Secret::Env("long enough password"),
    );
    assert_refused(&out, "invalid `email`");
    let out = create_admin(
        &url,
        &["--email", "boss@example.com", "--display-name", "  "],
        Secret::Env("long enough password"),
    );
    assert_refused(&out, "invalid `display_name`");
    // There is no way to pass the password as an argument.
    let out = create_admin(
        &url,
        &["--email", "boss@example.com", "--password", "argv password"],
        Secret::Stdin(""),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("argv password"), "{}", stderr(&out));
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 0);
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM audit_logs").await,
        0
    );

    // An unreachable database is a failure (1), and its password is not shown.
    let out = create_admin(
        "postgres://hub:db-s3cret@127.0.0.1:1/hub?sslmode=disable",
        &email,
        Secret::Env("long enough password"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot connect to the database"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("db-s3cret"), "{}", stderr(&out));
}

/// Runs `check` with a [`PgDb`] on `url` on a thread of its own (PgDb blocks on its own
/// runtime, which an async test's thread cannot).
async fn with_pg_db<T: Send + 'static>(
    url: String,
    check: impl FnOnce(&PgDb) -> T + Send + 'static,
) -> T {
    tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || {
            let db = PgDb::connect(&url).expect("connecting with PgDb");
            check(&db)
        })
        .join()
        .expect("the PgDb check panicked")
    })
    .await
    .expect("joining the PgDb check")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tools_db_maps_values_as_spin_does() {
    let db = TestDb::create().await;
    migrate(&db.url());
    with_pg_db(db.url(), |db| {
        let rows = db
            .query(
                r#"SELECT true AS b, 7::int2 AS i2, 8::int4 AS i4, 9::int8 AS i8,
                          1.5::float4 AS f4, 2.25::float8 AS f8,
                          'x'::text AS t, 'y'::varchar AS v, 'z'::char(2) AS c,
                          '\x0102'::bytea AS by,
                          '67E55044-10B1-426F-9247-BB680E5FE0C8'::uuid AS u,
                          '{"b": 1, "a": [2.50, null, {"d": 1, "c": 2}]}'::jsonb AS j,
                          1.50::numeric AS n,
                          timestamp '2026-11-27 10:15:00.123456' AS ts,
                          timestamptz '2026-11-27 10:15:00+02' AT TIME ZONE 'UTC' AS utc,
                          NULL::text AS nothing, NULL::date AS no_date,
                          date '2026-11-27' AS d, '{1,2}'::int4[] AS arr"#,
                &[],
            )
            .unwrap();
        let row = rows.first().unwrap();
        let expected = [
            ("b", Value::Bool(true)),
            ("i2", Value::Int(7)),
            ("i4", Value::Int(8)),
            ("i8", Value::Int(9)),
            ("f4", Value::Float(1.5)),
            ("f8", Value::Float(2.25)),
            ("t", Value::Text("x".into())),
            ("v", Value::Text("y".into())),
            ("c", Value::Text("z ".into())),
            ("by", Value::Bytes(vec![1, 2])),
            (
                "u",
                Value::Uuid("67e55044-10b1-426f-9247-bb680e5fe0c8".into()),
            ),
            (
                "j",
                Value::Json(br#"{"a":[2.5,null,{"c":2,"d":1}],"b":1}"#.to_vec()),
            ),
            ("n", Value::Numeric("1.50".into())),
            (
                "ts",
                Value::DateTime(
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
                        .unwrap()
                        .and_hms_micro_opt(10, 15, 0, 123_456)
                        .unwrap(),
                ),
            ),
            (
                "utc",
                Value::DateTime(
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
                        .unwrap()
                        .and_hms_opt(8, 15, 0)
                        .unwrap(),
                ),
            ),
            ("nothing", Value::Null),
            ("no_date", Value::Null),
            ("d", Value::Other("date".into())),
            ("arr", Value::Other("_int4".into())),
        ];
        for (column, value) in expected {
            assert_eq!(row.get::<RawValue>(column).unwrap().0, value, "{column}");
        }

        // timestamptz cannot be read, as under Spin.
        let err = db.query("SELECT now() AS at", &[]).unwrap_err();
        assert!(err.to_string().contains("AT TIME ZONE 'UTC'"), "{err}");

        // Parameters bind as Spin binds them: text only for text placeholders, NULL for any.
        let rows = db
            .query(
                "SELECT $1::text AS t, $2::uuid AS u, $3::jsonb AS j, $4::numeric AS n, \
                 $5::int8 AS i, $6::bytea AS by, $7::uuid AS nothing",
                &[
                    Param::Text("héllo".into()),
                    Param::Uuid(uuid::Uuid::nil()),
                    Param::Json(json!({"k": [1, "two"]})),
                    Param::Numeric("0.004215".into()),
                    Param::Int64(-5),
                    Param::Bytes(vec![0, 255]),
                    Param::Null,
                ],
            )
            .unwrap();
        let row = rows.first().unwrap();
        assert_eq!(row.get::<String>("t").unwrap(), "héllo");
        assert_eq!(row.get::<uuid::Uuid>("u").unwrap(), uuid::Uuid::nil());
        assert_eq!(
            row.get::<serde_json::Value>("j").unwrap(),
            json!({"k": [1, "two"]})
        );
        assert_eq!(
            row.get::<hub_db::Numeric>("n").unwrap(),
            hub_db::Numeric("0.004215".into())
        );
        assert_eq!(row.get::<i64>("i").unwrap(), -5);
        assert_eq!(row.get::<Vec<u8>>("by").unwrap(), vec![0, 255]);
        assert_eq!(row.get::<Option<uuid::Uuid>>("nothing").unwrap(), None);
        let err = db
            .query("SELECT $1::int4 AS n", &[Param::Text("1".into())])
            .unwrap_err();
        assert!(
            err.to_string().contains("error serializing parameter 0"),
            "{err}"
        );

        // Errors carry the SQLSTATE; a failed transaction leaves nothing behind.
        let id = uuid::Uuid::new_v4();
        let new = hub_db::users::NewUser {
            id,
            email: "map@example.com",
            display_name: "Map",
            password_hash: "$argon2id$not-a-real-hash",
            is_admin: false,
        };
        let err = hub_db::transaction(db, |db| {
            hub_db::users::insert(db, &new)?;
            db.execute("SELECT 1/0", &[])
        })
        .unwrap_err();
        assert_eq!(err.code(), Some("22012"), "{err}");
        assert_eq!(hub_db::users::find_by_id(db, id).unwrap(), None);

        // hub-db's own queries read back through this Db.
        let user = hub_db::users::insert(db, &new).unwrap().unwrap();
        assert_eq!(
            hub_db::users::find_by_id(db, id).unwrap(),
            Some(user.clone())
        );
        assert_eq!(user.email, "map@example.com");
        assert!(user.is_active && !user.is_admin);
        assert_eq!(
            hub_db::users::insert(db, &new).unwrap(),
            None,
            "a taken email"
        );
    })
    .await;
}

/// A column's [`Value`] as read, for comparing the mapping itself.
struct RawValue(Value);

impl hub_db::FromValue for RawValue {
    fn from_value(value: &Value) -> Result<Self, String> {
        Ok(Self(value.clone()))
    }
}
