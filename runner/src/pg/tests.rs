//! The connection, query and execute flows end to end against a scripted stand-in for a
//! Postgres server (protocol v3, extended query protocol, binary values), so that the real
//! tokio-postgres / deadpool code paths run without a database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::{BufMut, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_postgres::types::{ToSql, Type};
use wasmtime::component::Resource;

use super::*;
use crate::bindings::spin::postgres::postgres::{
    DbDataType, HostConnection, Interval, RangeBoundKind,
};

/// An error response: (field code, value) pairs.
type Fields = Vec<(u8, &'static str)>;

/// What the stand-in server answers for one statement text.
#[derive(Clone, Default)]
struct Reply {
    params: Vec<Type>,
    columns: Vec<(&'static str, Type)>,
    rows: Vec<Vec<Option<Vec<u8>>>>,
    parse_error: Option<Fields>,
    error_after_rows: Option<Fields>,
    tag: &'static str,
}

#[derive(Default)]
struct Seen {
    startups: usize,
    /// SSLRequests received (each declined with 'N', as by a server with `ssl=off`).
    ssl_requests: usize,
    binds: Vec<Vec<Option<Vec<u8>>>>,
    simple_queries: Vec<String>,
}

struct FakeServer {
    port: u16,
    seen: Arc<Mutex<Seen>>,
}

impl FakeServer {
    async fn start(script: Vec<(&'static str, Reply)>) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let script: Arc<HashMap<&'static str, Reply>> = Arc::new(script.into_iter().collect());
        let seen2 = seen.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, script.clone(), seen2.clone()));
            }
        });
        FakeServer { port, seen }
    }

    fn url(&self) -> String {
        format!(
            "postgres://app:s3cret-pw@127.0.0.1:{}/hub?sslmode=disable",
            self.port
        )
    }
}

fn message(out: &mut BytesMut, tag: u8, body: &[u8]) {
    out.put_u8(tag);
    out.put_i32(i32::try_from(body.len() + 4).unwrap());
    out.put_slice(body);
}

fn cstr(buf: &mut &[u8]) -> String {
    let end = buf.iter().position(|b| *b == 0).unwrap();
    let s = String::from_utf8(buf[..end].to_vec()).unwrap();
    *buf = &buf[end + 1..];
    s
}

fn take_i16(buf: &mut &[u8]) -> i16 {
    let v = i16::from_be_bytes([buf[0], buf[1]]);
    *buf = &buf[2..];
    v
}

fn take_i32(buf: &mut &[u8]) -> i32 {
    let v = i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    *buf = &buf[4..];
    v
}

fn error_response(out: &mut BytesMut, fields: &Fields) {
    let mut body = BytesMut::new();
    for (code, value) in fields {
        body.put_u8(*code);
        body.put_slice(value.as_bytes());
        body.put_u8(0);
    }
    body.put_u8(0);
    message(out, b'E', &body);
}

async fn serve(
    mut socket: TcpStream,
    script: Arc<HashMap<&'static str, Reply>>,
    seen: Arc<Mutex<Seen>>,
) {
    // Startup message: length, protocol, parameters; an SSLRequest before it is declined.
    let Ok(mut len) = socket.read_i32().await else {
        return;
    };
    let mut startup = vec![0u8; usize::try_from(len - 4).unwrap()];
    socket.read_exact(&mut startup).await.unwrap();
    if startup[..] == 80_877_103i32.to_be_bytes() {
        seen.lock().unwrap().ssl_requests += 1;
        socket.write_all(b"N").await.unwrap();
        let Ok(next) = socket.read_i32().await else {
            return; // sslmode=require gives up here
        };
        len = next;
        startup = vec![0u8; usize::try_from(len - 4).unwrap()];
        socket.read_exact(&mut startup).await.unwrap();
    }
    seen.lock().unwrap().startups += 1;
    let mut out = BytesMut::new();
    message(&mut out, b'R', &0i32.to_be_bytes());
    message(&mut out, b'K', &[0, 0, 0, 1, 0, 0, 0, 2]);
    message(&mut out, b'Z', b"I");
    socket.write_all(&out).await.unwrap();

    let mut statements: HashMap<String, String> = HashMap::new();
    let mut portals: HashMap<String, String> = HashMap::new();
    let mut failed = false;
    loop {
        let Ok(tag) = socket.read_u8().await else {
            return;
        };
        let len = socket.read_i32().await.unwrap();
        let mut body = vec![0u8; usize::try_from(len - 4).unwrap()];
        socket.read_exact(&mut body).await.unwrap();
        let mut buf = &body[..];
        let mut out = BytesMut::new();
        if failed && tag != b'S' {
            continue;
        }
        match tag {
            b'P' => {
                let name = cstr(&mut buf);
                let query = cstr(&mut buf);
                let reply = script
                    .get(query.as_str())
                    .cloned()
                    .unwrap_or_else(|| Reply {
                        parse_error: Some(vec![
                            (b'S', "ERROR"),
                            (b'C', "42601"),
                            (b'M', "unscripted statement"),
                        ]),
                        ..Reply::default()
                    });
                if let Some(fields) = &reply.parse_error {
                    error_response(&mut out, fields);
                    failed = true;
                } else {
                    statements.insert(name, query);
                    message(&mut out, b'1', &[]);
                }
            }
            b'D' => {
                let kind = buf[0];
                buf = &buf[1..];
                let name = cstr(&mut buf);
                assert_eq!(kind, b'S');
                let reply = &script[statements[&name].as_str()];
                let mut body = BytesMut::new();
                body.put_i16(i16::try_from(reply.params.len()).unwrap());
                for ty in &reply.params {
                    body.put_u32(ty.oid());
                }
                message(&mut out, b't', &body);
                if reply.columns.is_empty() {
                    message(&mut out, b'n', &[]);
                } else {
                    let mut body = BytesMut::new();
                    body.put_i16(i16::try_from(reply.columns.len()).unwrap());
                    for (name, ty) in &reply.columns {
                        body.put_slice(name.as_bytes());
                        body.put_u8(0);
                        body.put_u32(0);
                        body.put_i16(0);
                        body.put_u32(ty.oid());
                        body.put_i16(-1);
                        body.put_i32(-1);
                        body.put_i16(0);
                    }
                    message(&mut out, b'T', &body);
                }
            }
            b'B' => {
                let portal = cstr(&mut buf);
                let statement = cstr(&mut buf);
                let formats = take_i16(&mut buf);
                for _ in 0..formats {
                    take_i16(&mut buf);
                }
                let count = take_i16(&mut buf);
                let mut values = Vec::new();
                for _ in 0..count {
                    let len = take_i32(&mut buf);
                    if len < 0 {
                        values.push(None);
                    } else {
                        let len = usize::try_from(len).unwrap();
                        values.push(Some(buf[..len].to_vec()));
                        buf = &buf[len..];
                    }
                }
                seen.lock().unwrap().binds.push(values);
                portals.insert(portal, statement);
                message(&mut out, b'2', &[]);
            }
            b'E' => {
                let portal = cstr(&mut buf);
                let reply = &script[statements[&portals[&portal]].as_str()];
                for row in &reply.rows {
                    let mut body = BytesMut::new();
                    body.put_i16(i16::try_from(row.len()).unwrap());
                    for value in row {
                        match value {
                            None => body.put_i32(-1),
                            Some(v) => {
                                body.put_i32(i32::try_from(v.len()).unwrap());
                                body.put_slice(v);
                            }
                        }
                    }
                    message(&mut out, b'D', &body);
                }
                if let Some(fields) = &reply.error_after_rows {
                    error_response(&mut out, fields);
                    failed = true;
                } else {
                    let mut body = reply.tag.as_bytes().to_vec();
                    body.push(0);
                    message(&mut out, b'C', &body);
                }
            }
            b'C' => message(&mut out, b'3', &[]),
            b'S' => {
                failed = false;
                message(&mut out, b'Z', b"I");
            }
            b'Q' => {
                seen.lock().unwrap().simple_queries.push(cstr(&mut buf));
                message(&mut out, b'C', b"OK\0");
                message(&mut out, b'Z', b"I");
            }
            b'X' => return,
            _ => {}
        }
        if !out.is_empty() {
            socket.write_all(&out).await.unwrap();
        }
    }
}

fn enc<T: ToSql>(value: T, ty: &Type) -> Option<Vec<u8>> {
    let mut out = BytesMut::new();
    value.to_sql(ty, &mut out).unwrap();
    Some(out.to_vec())
}

fn state_allowing_all() -> PgState {
    PgState::new(Arc::new(PgPools::new(4)), Arc::new(|_: &str, _: u16| true))
}

async fn open(state: &mut PgState, url: &str) -> Resource<Connection> {
    match HostConnection::open(state, url.to_owned()).await.unwrap() {
        Ok(r) => r,
        Err(e) => panic!("open failed: {e:?}"),
    }
}

fn handle(r: &Resource<Connection>) -> Resource<Connection> {
    Resource::new_borrow(r.rep())
}

async fn query(
    state: &mut PgState,
    c: &Resource<Connection>,
    sql: &str,
    params: Vec<ParameterValue>,
) -> Result<RowSet, Error> {
    HostConnection::query(state, handle(c), sql.to_owned(), params)
        .await
        .unwrap()
}

async fn execute(
    state: &mut PgState,
    c: &Resource<Connection>,
    sql: &str,
    params: Vec<ParameterValue>,
) -> Result<u64, Error> {
    HostConnection::execute(state, handle(c), sql.to_owned(), params)
        .await
        .unwrap()
}

fn text_of(err: Error) -> String {
    match err {
        Error::QueryFailed(QueryError::Text(t)) => t,
        other => panic!("expected query-failed(text), got {other:?}"),
    }
}

const UNIQUE_VIOLATION: &[(u8, &str)] = &[
    (b'S', "ERROR"),
    (b'V', "ERROR"),
    (b'C', "23505"),
    (
        b'M',
        "duplicate key value violates unique constraint \"users_email_key\"",
    ),
    (b'D', "Key (email)=(a@b.c) already exists."),
    (b's', "public"),
    (b't', "users"),
    (b'n', "users_email_key"),
    (b'F', "nbtinsert.c"),
    (b'L', "666"),
    (b'R', "_bt_check_unique"),
];

#[tokio::test]
async fn denied_addresses_never_connect() {
    let server = FakeServer::start(vec![]).await;
    let mut state = PgState::new(
        Arc::new(PgPools::new(4)),
        Arc::new(|h: &str, _: u16| h == "db"),
    );
    let err = HostConnection::open(&mut state, server.url())
        .await
        .unwrap()
        .err()
        .unwrap();
    match err {
        Error::ConnectionFailed(t) => {
            assert_eq!(
                t,
                format!(
                    "address postgres://127.0.0.1:{} is not permitted",
                    server.port
                )
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.seen.lock().unwrap().startups, 0);
}

#[tokio::test]
async fn refused_connections_are_connection_failed_without_the_password() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut state = state_allowing_all();
    let url = format!("postgres://app:s3cret-pw@127.0.0.1:{port}/hub");
    match HostConnection::open(&mut state, url)
        .await
        .unwrap()
        .err()
        .unwrap()
    {
        Error::ConnectionFailed(t) => {
            assert!(
                t.starts_with("Error occurred while creating a new object: error connecting to server\n\nCaused by:\n    0: error connecting to server\n    1: "),
                "{t}"
            );
            assert!(!t.contains("s3cret"), "{t}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn sslmode_decides_whether_tls_is_asked_for() {
    let server = FakeServer::start(vec![]).await;
    let mut state = state_allowing_all();
    // disable: no SSLRequest at all.
    let c = open(&mut state, &server.url()).await;
    HostConnection::drop(&mut state, c).await.unwrap();
    assert_eq!(server.seen.lock().unwrap().ssl_requests, 0);
    // prefer (the default): asks, and goes on in plain text when the server declines.
    for url in [
        format!("postgres://app:s3cret-pw@127.0.0.1:{}/hub", server.port),
        format!(
            "postgres://app:s3cret-pw@127.0.0.1:{}/hub?sslmode=prefer",
            server.port
        ),
    ] {
        let before = server.seen.lock().unwrap().startups;
        let c = open(&mut state, &url).await;
        HostConnection::drop(&mut state, c).await.unwrap();
        assert_eq!(server.seen.lock().unwrap().startups, before + 1);
    }
    assert_eq!(server.seen.lock().unwrap().ssl_requests, 2);
    // require: a server without TLS is a connection failure, before any startup message.
    let before = server.seen.lock().unwrap().startups;
    let url = format!(
        "postgres://app:s3cret-pw@127.0.0.1:{}/hub?sslmode=require",
        server.port
    );
    match HostConnection::open(&mut state, url).await.unwrap() {
        Err(Error::ConnectionFailed(t)) => {
            assert_eq!(
                t,
                "Error occurred while creating a new object: error performing TLS handshake\n\n\
                 Caused by:\n    0: error performing TLS handshake\n    1: server does not support TLS"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.seen.lock().unwrap().ssl_requests, 3);
    assert_eq!(server.seen.lock().unwrap().startups, before);
}

#[tokio::test]
async fn parameters_bind_and_values_come_back() {
    let server = FakeServer::start(vec![(
        "SELECT $1::int4 + 1 AS n, $2::text AS s",
        Reply {
            params: vec![Type::INT4, Type::TEXT],
            columns: vec![("n", Type::INT4), ("s", Type::TEXT)],
            rows: vec![
                vec![enc(43i32, &Type::INT4), enc("hi", &Type::TEXT)],
                vec![None, None],
            ],
            tag: "SELECT 2",
            ..Reply::default()
        },
    )])
    .await;
    let mut state = state_allowing_all();
    let c = open(&mut state, &server.url()).await;
    let rs = query(
        &mut state,
        &c,
        "SELECT $1::int4 + 1 AS n, $2::text AS s",
        vec![ParameterValue::Int32(42), ParameterValue::Str("hi".into())],
    )
    .await
    .unwrap();
    assert_eq!(rs.columns.len(), 2);
    assert_eq!(rs.columns[0].name, "n");
    assert!(matches!(rs.columns[0].data_type, DbDataType::Int32));
    assert!(matches!(rs.columns[1].data_type, DbDataType::Str));
    assert!(matches!(rs.rows[0][..], [DbValue::Int32(43), DbValue::Str(ref s)] if s == "hi"));
    assert!(matches!(rs.rows[1][..], [DbValue::DbNull, DbValue::DbNull]));
    assert_eq!(
        server.seen.lock().unwrap().binds,
        vec![vec![
            Some(42i32.to_be_bytes().to_vec()),
            Some(b"hi".to_vec())
        ]]
    );
}

#[tokio::test]
async fn a_str_for_a_non_text_placeholder_is_a_wrong_type_error() {
    let server = FakeServer::start(vec![
        (
            "INSERT INTO t (n) VALUES ($1)",
            Reply {
                params: vec![Type::INT4],
                tag: "INSERT 0 1",
                ..Reply::default()
            },
        ),
        (
            "SELECT $1",
            Reply {
                params: vec![Type::TEXT],
                columns: vec![("x", Type::TEXT)],
                tag: "SELECT 0",
                ..Reply::default()
            },
        ),
    ])
    .await;
    let mut state = state_allowing_all();
    let c = open(&mut state, &server.url()).await;
    let params = vec![ParameterValue::Str("7".into())];
    let expected = "Error { kind: ToSql(0), cause: Some(WrongType { postgres: Int4, rust: \"alloc::string::String\" }) }";
    let err = query(
        &mut state,
        &c,
        "INSERT INTO t (n) VALUES ($1)",
        params.clone(),
    )
    .await
    .unwrap_err();
    assert_eq!(text_of(err), expected);
    let err = execute(&mut state, &c, "INSERT INTO t (n) VALUES ($1)", params)
        .await
        .unwrap_err();
    assert_eq!(text_of(err), expected);
    // Wrong parameter count.
    let err = query(&mut state, &c, "SELECT $1", vec![])
        .await
        .unwrap_err();
    assert_eq!(
        text_of(err),
        "Error { kind: Parameters(0, 1), cause: None }"
    );
    // Nothing was bound.
    assert!(server.seen.lock().unwrap().binds.is_empty());
    // The connection is still usable, and an empty result has no columns (as in Spin).
    let rs = query(
        &mut state,
        &c,
        "SELECT $1",
        vec![ParameterValue::Str("x".into())],
    )
    .await
    .unwrap();
    assert!(rs.columns.is_empty() && rs.rows.is_empty());
}

#[tokio::test]
async fn conversion_failures_are_bad_parameter_in_query_and_value_conversion_in_execute() {
    let server = FakeServer::start(vec![]).await;
    let mut state = state_allowing_all();
    let c = open(&mut state, &server.url()).await;
    let params = vec![ParameterValue::Date((2023, 2, 29))];
    match query(&mut state, &c, "SELECT $1", params.clone())
        .await
        .unwrap_err()
    {
        Error::BadParameter(t) => assert_eq!(t, "invalid date y=2023, m=2, d=29"),
        other => panic!("{other:?}"),
    }
    match execute(&mut state, &c, "SELECT $1", params)
        .await
        .unwrap_err()
    {
        Error::ValueConversionFailed(t) => assert_eq!(t, "invalid date y=2023, m=2, d=29"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn every_mapped_type_converts_from_wire_bytes() {
    let mut int_array = BytesMut::new();
    vec![Some(1i32), None, Some(3)]
        .to_sql(&Type::INT4_ARRAY, &mut int_array)
        .unwrap();
    let mut text_array = BytesMut::new();
    vec![Some("a".to_owned()), None]
        .to_sql(&Type::VARCHAR_ARRAY, &mut text_array)
        .unwrap();
    let mut num_array = BytesMut::new();
    vec![Some(rust_decimal::Decimal::new(25, 1))]
        .to_sql(&Type::NUMERIC_ARRAY, &mut num_array)
        .unwrap();
    let ts = chrono::NaiveDate::from_ymd_opt(2024, 5, 6)
        .unwrap()
        .and_hms_micro_opt(7, 8, 9, 10)
        .unwrap();
    let columns = vec![
        ("b", Type::BOOL),
        ("bytes", Type::BYTEA),
        ("f4", Type::FLOAT4),
        ("f8", Type::FLOAT8),
        ("i2", Type::INT2),
        ("i8", Type::INT8),
        ("c", Type::BPCHAR),
        ("ts", Type::TIMESTAMP),
        ("d", Type::DATE),
        ("t", Type::TIME),
        ("u", Type::UUID),
        ("j", Type::JSONB),
        ("n", Type::NUMERIC),
        ("r4", Type::INT4_RANGE),
        ("r8", Type::INT8_RANGE),
        ("rn", Type::NUM_RANGE),
        ("a4", Type::INT4_ARRAY),
        ("as", Type::VARCHAR_ARRAY),
        ("an", Type::NUMERIC_ARRAY),
        ("iv", Type::INTERVAL),
        ("json", Type::JSON),
        ("ch", Type::CHAR),
        ("n_null", Type::NUMERIC),
    ];
    let row = vec![
        enc(true, &Type::BOOL),
        enc(vec![1u8, 2], &Type::BYTEA),
        enc(1.5f32, &Type::FLOAT4),
        enc(-2.25f64, &Type::FLOAT8),
        enc(-7i16, &Type::INT2),
        enc(1i64 << 40, &Type::INT8),
        enc("ab  ", &Type::BPCHAR),
        enc(ts, &Type::TIMESTAMP),
        enc(ts.date(), &Type::DATE),
        enc(ts.time(), &Type::TIME),
        enc(
            uuid::Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8),
            &Type::UUID,
        ),
        Some(b"\x01{\"b\": 1, \"a\": [1, 2.5]}".to_vec()),
        enc(rust_decimal::Decimal::new(150, 2), &Type::NUMERIC),
        Some(vec![0x02, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5]),
        Some(vec![0x01]),
        {
            let mut v = vec![0x02 | 0x10];
            let mut d = BytesMut::new();
            rust_decimal::Decimal::new(5, 1)
                .to_sql(&Type::NUMERIC, &mut d)
                .unwrap();
            v.extend_from_slice(&i32::try_from(d.len()).unwrap().to_be_bytes());
            v.extend_from_slice(&d);
            Some(v)
        },
        Some(int_array.to_vec()),
        Some(text_array.to_vec()),
        Some(num_array.to_vec()),
        Some(
            [
                5i64.to_be_bytes().to_vec(),
                6i32.to_be_bytes().to_vec(),
                7i32.to_be_bytes().to_vec(),
            ]
            .concat(),
        ),
        Some(b"{\"z\": 1}".to_vec()),
        Some(vec![b'x']),
        None,
    ];
    let server = FakeServer::start(vec![(
        "SELECT everything",
        Reply {
            columns,
            rows: vec![row],
            tag: "SELECT 1",
            ..Reply::default()
        },
    )])
    .await;
    let mut state = state_allowing_all();
    let c = open(&mut state, &server.url()).await;
    let rs = query(&mut state, &c, "SELECT everything", vec![])
        .await
        .unwrap();
    let types: Vec<String> = rs
        .columns
        .iter()
        .map(|c| format!("{:?}", c.data_type))
        .collect();
    assert_eq!(
        types,
        [
            "DbDataType::Boolean",
            "DbDataType::Binary",
            "DbDataType::Floating32",
            "DbDataType::Floating64",
            "DbDataType::Int16",
            "DbDataType::Int64",
            "DbDataType::Str",
            "DbDataType::Datetime",
            "DbDataType::Date",
            "DbDataType::Time",
            "DbDataType::Uuid",
            "DbDataType::Jsonb",
            "DbDataType::Decimal",
            "DbDataType::RangeInt32",
            "DbDataType::RangeInt64",
            "DbDataType::RangeDecimal",
            "DbDataType::ArrayInt32",
            "DbDataType::ArrayStr",
            "DbDataType::ArrayDecimal",
            "DbDataType::Interval",
            "DbDataType::Other(\"json\")",
            "DbDataType::Other(\"char\")",
            "DbDataType::Decimal",
        ]
    );
    let v = &rs.rows[0];
    assert!(matches!(v[0], DbValue::Boolean(true)));
    assert!(matches!(&v[1], DbValue::Binary(b) if b == &[1, 2]));
    assert!(matches!(v[2], DbValue::Floating32(f) if f == 1.5));
    assert!(matches!(v[3], DbValue::Floating64(f) if f == -2.25));
    assert!(matches!(v[4], DbValue::Int16(-7)));
    assert!(matches!(v[5], DbValue::Int64(n) if n == 1 << 40));
    assert!(matches!(&v[6], DbValue::Str(s) if s == "ab  "));
    assert!(matches!(
        v[7],
        DbValue::Datetime((2024, 5, 6, 7, 8, 9, 10_000))
    ));
    assert!(matches!(v[8], DbValue::Date((2024, 5, 6))));
    assert!(matches!(v[9], DbValue::Time((7, 8, 9, 10_000))));
    assert!(matches!(&v[10], DbValue::Uuid(s) if s == "67e55044-10b1-426f-9247-bb680e5fe0c8"));
    assert!(matches!(&v[11], DbValue::Jsonb(b) if b == br#"{"a":[1,2.5],"b":1}"#));
    assert!(matches!(&v[12], DbValue::Decimal(s) if s == "1.50"));
    assert!(matches!(
        v[13],
        DbValue::RangeInt32((
            Some((1, RangeBoundKind::Inclusive)),
            Some((5, RangeBoundKind::Exclusive))
        ))
    ));
    assert!(matches!(v[14], DbValue::RangeInt64((None, None))));
    assert!(
        matches!(&v[15], DbValue::RangeDecimal((Some((s, RangeBoundKind::Inclusive)), None)) if s == "0.5")
    );
    assert!(matches!(&v[16], DbValue::ArrayInt32(a) if a == &[Some(1), None, Some(3)]));
    assert!(matches!(&v[17], DbValue::ArrayStr(a) if a == &[Some("a".to_owned()), None]));
    assert!(matches!(&v[18], DbValue::ArrayDecimal(a) if a == &[Some("2.5".to_owned())]));
    assert!(matches!(
        v[19],
        DbValue::Interval(Interval {
            micros: 5,
            days: 6,
            months: 7
        })
    ));
    assert!(matches!(&v[20], DbValue::Unsupported(b) if b == b"{\"z\": 1}"));
    assert!(matches!(&v[21], DbValue::Unsupported(b) if b == b"x"));
    assert!(matches!(v[22], DbValue::DbNull));
}

#[tokio::test]
async fn a_timestamptz_column_fails_the_whole_query_like_spin_4() {
    let server = FakeServer::start(vec![(
        "SELECT id, created_at FROM t",
        Reply {
            columns: vec![("id", Type::INT4), ("created_at", Type::TIMESTAMPTZ)],
            rows: vec![vec![enc(1i32, &Type::INT4), None]],
            tag: "SELECT 1",
            ..Reply::default()
        },
    )])
    .await;
    let mut state = state_allowing_all();
    let c = open(&mut state, &server.url()).await;
    let err = query(&mut state, &c, "SELECT id, created_at FROM t", vec![])
        .await
        .unwrap_err();
    assert_eq!(
        text_of(err),
        "Error::QueryFailed(QueryError::Text(\"error deserializing column 1\\n\\nCaused by:\\n    \
         cannot convert between the Rust type `core::option::Option<chrono::naive::datetime::NaiveDateTime>` \
         and the Postgres type `timestamptz`\"))"
    );
}

#[tokio::test]
async fn server_errors_map_to_db_error() {
    let server = FakeServer::start(vec![
        (
            "SELEC 1",
            Reply {
                parse_error: Some(vec![
                    (b'S', "ERROR"),
                    (b'V', "ERROR"),
                    (b'C', "42601"),
                    (b'M', "syntax error at or near \"SELEC\""),
                    (b'P', "1"),
                    (b'F', "scan.l"),
                    (b'L', "1244"),
                    (b'R', "scanner_yyerror"),
                ]),
                ..Reply::default()
            },
        ),
        (
            "INSERT INTO users (email) VALUES ('a@b.c') RETURNING id",
            Reply {
                columns: vec![("id", Type::INT4)],
                error_after_rows: Some(UNIQUE_VIOLATION.to_vec()),
                ..Reply::default()
            },
        ),
    ])
    .await;
    let mut state = state_allowing_all();
    let c = open(&mut state, &server.url()).await;

    match query(&mut state, &c, "SELEC 1", vec![]).await.unwrap_err() {
        Error::QueryFailed(QueryError::DbError(db)) => {
            assert_eq!(db.code, "42601");
            assert_eq!(db.severity, "ERROR");
            assert_eq!(db.message, "syntax error at or near \"SELEC\"");
            assert_eq!(db.detail, None);
            assert_eq!(
                db.extras,
                vec![
                    ("routine".to_owned(), "scanner_yyerror".to_owned()),
                    ("file".to_owned(), "scan.l".to_owned()),
                    ("line".to_owned(), "1244".to_owned()),
                ]
            );
            assert!(db.as_text.starts_with("Error { kind: Db, cause: Some(DbError { severity: \"ERROR\", parsed_severity: Some(Error), code: SqlState(E42601), message: \"syntax error at or near \\\"SELEC\\\"\""), "{}", db.as_text);
        }
        other => panic!("{other:?}"),
    }

    let sql = "INSERT INTO users (email) VALUES ('a@b.c') RETURNING id";
    // execute: structured.
    match execute(&mut state, &c, sql, vec![]).await.unwrap_err() {
        Error::QueryFailed(QueryError::DbError(db)) => {
            assert_eq!(db.code, "23505");
            assert_eq!(
                db.detail.as_deref(),
                Some("Key (email)=(a@b.c) already exists.")
            );
            let names: Vec<&str> = db.extras.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(
                names,
                ["constraint", "routine", "table", "schema", "file", "line"]
            );
        }
        other => panic!("{other:?}"),
    }
    // query: the error arrives while rows are read, so Spin 4 hands it back re-wrapped as text.
    let text = text_of(query(&mut state, &c, sql, vec![]).await.unwrap_err());
    assert!(
        text.starts_with("Error::QueryFailed(QueryError::DbError(DbError { as-text: \"Error { kind: Db, cause: Some(DbError { severity: \\\"ERROR\\\""),
        "{text}"
    );
    assert!(text.contains("code: \"23505\""), "{text}");
}

#[tokio::test]
async fn execute_returns_the_affected_row_count() {
    let server = FakeServer::start(vec![(
        "UPDATE t SET x = $1",
        Reply {
            params: vec![Type::NUMERIC],
            tag: "UPDATE 3",
            ..Reply::default()
        },
    )])
    .await;
    let mut state = state_allowing_all();
    let c = open(&mut state, &server.url()).await;
    let n = execute(
        &mut state,
        &c,
        "UPDATE t SET x = $1",
        vec![ParameterValue::Decimal("2.50".into())],
    )
    .await;
    assert_eq!(n.unwrap(), 3);
    let mut expected = BytesMut::new();
    rust_decimal::Decimal::new(250, 2)
        .to_sql(&Type::NUMERIC, &mut expected)
        .unwrap();
    assert_eq!(
        server.seen.lock().unwrap().binds,
        vec![vec![Some(expected.to_vec())]]
    );
    // db-null binds NULL whatever the placeholder type.
    execute(
        &mut state,
        &c,
        "UPDATE t SET x = $1",
        vec![ParameterValue::DbNull],
    )
    .await
    .unwrap();
    assert_eq!(server.seen.lock().unwrap().binds[1], vec![None]);
}

#[tokio::test]
async fn dropped_connections_go_back_to_the_pool() {
    let server = FakeServer::start(vec![]).await;
    let pools = Arc::new(PgPools::new(4));
    let mut state = PgState::new(pools.clone(), Arc::new(|_: &str, _: u16| true));
    let a = open(&mut state, &server.url()).await;
    let b = open(&mut state, &server.url()).await;
    assert_eq!(server.seen.lock().unwrap().startups, 2);
    HostConnection::drop(&mut state, a).await.unwrap();
    drop(state); // the end of a request drops what is still open
    let _ = b;

    let mut next = PgState::new(pools, Arc::new(|_: &str, _: u16| true));
    let _c = open(&mut next, &server.url()).await;
    let _d = open(&mut next, &server.url()).await;
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.startups, 2, "both clients were reused");
    // Reuse runs deadpool's `Clean` recycling, as Spin's pool does.
    assert_eq!(seen.simple_queries.len(), 2);
    assert!(
        seen.simple_queries[0].starts_with("CLOSE ALL;"),
        "{:?}",
        seen.simple_queries
    );
}

#[test]
fn statements_on_rows_and_transaction_control_are_kept_prepared_and_others_not() {
    for kept in [
        "SELECT 1",
        "  select * from t",
        "\n-- the chats\nWITH c AS (SELECT 1) SELECT * FROM c",
        "(SELECT 1) UNION (SELECT 2)",
        "INSERT INTO t VALUES ($1)",
        "update t set a = 1",
        "DELETE FROM t",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
    ] {
        assert!(keeps_plan(kept), "{kept:?}");
    }
    for fresh in [
        "CREATE TABLE t (a int)",
        "ALTER TABLE t ADD COLUMN b int",
        "drop table t",
        "DISCARD ALL",
        "DEALLOCATE ALL",
        "SET search_path = other",
        "-- only a comment",
        "",
        "SELECTED",
    ] {
        assert!(!keeps_plan(fresh), "{fresh:?}");
    }
}
