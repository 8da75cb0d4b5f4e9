//! [`hub_db::Db`] over a native Postgres connection (tokio-postgres on a current-thread runtime),
//! with the type mapping Spin's `spin:postgres@4.0.0` interface gives the components, so that
//! hub-db's queries bind and read back here exactly as they do in a component
//! (`hub-component`'s `PgDb`):
//!
//! | [`Param`]  | bound as (Rust type, as Spin binds it) | accepted placeholder types |
//! |------------|-----------------------------------------|----------------------------|
//! | `Null`     | a NULL of any type                      | any |
//! | `Bool`, `Int16`, `Int32`, `Int64`, `Float64` | `bool`, `i16`, `i32`, `i64`, `f64` | bool, int2, int4, int8, float8 |
//! | `Text`     | `String`                                | text, varchar, bpchar, name, unknown (cast in SQL for anything else) |
//! | `Bytes`    | `Vec<u8>`                               | bytea |
//! | `Uuid`     | `uuid::Uuid`                            | uuid |
//! | `Json`     | `serde_json::Value`                     | json, jsonb |
//! | `Numeric`  | `rust_decimal::Decimal` (exact parse)   | numeric |
//!
//! | column type                 | [`Value`] |
//! |-----------------------------|-----------|
//! | bool                        | `Bool` |
//! | int2 / int4 / int8          | `Int` |
//! | float4 / float8             | `Float` |
//! | text, varchar, bpchar       | `Text` |
//! | bytea                       | `Bytes` |
//! | uuid                        | `Uuid` (hyphenated, lower case) |
//! | jsonb                       | `Json`: compact JSON text, object keys sorted |
//! | numeric                     | `Numeric`: rust_decimal's text (`1.50` stays `1.50`) |
//! | timestamp                   | `DateTime` |
//! | timestamptz                 | none: an error, even for NULL (select `col AT TIME ZONE 'UTC'`) |
//! | anything else (date, json, arrays, vector, ...) | `Other(<type name>)`, `Null` when NULL |
//!
//! Columns are named from the first row, as under Spin (no rows: no columns).

use std::time::Duration;

use hub_db::{Db, DbError, Param, Rows, Value};
use rust_decimal::Decimal;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};
use tokio_postgres::{Client, Row};

/// How long closing waits for the server to see an orderly end of the session.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection to the database. Not for use inside an async runtime: every call blocks on
/// its own current-thread runtime. Dropping it closes the session in order (`Terminate`, TLS
/// `close_notify`).
pub struct PgDb {
    runtime: Runtime,
    client: Option<Client>,
    connection: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the connection string: it carries the password.
        f.debug_struct("PgDb")
            .field("open", &self.client.is_some())
            .finish()
    }
}

impl PgDb {
    /// Connects to `url` (`postgres://…` or `key=value …`), TLS decided by its `sslmode` as for
    /// the runner and Spin (`pg-tls`). The error never contains the URL.
    pub fn connect(url: &str) -> Result<Self, DbError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
            DbError::Unavailable(format!("invalid connection string: {e}"))
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbError::Other(format!("cannot start the async runtime: {e}")))?;
        let (client, connection) = runtime
            .block_on(pg_tls::connect(&config))
            .map_err(|e| DbError::Unavailable(format!("{e:#}")))?;
        Ok(Self {
            runtime,
            client: Some(client),
            connection: Some(connection),
        })
    }

    fn client(&self) -> Result<&Client, DbError> {
        self.client
            .as_ref()
            .ok_or_else(|| DbError::Unavailable("the connection is closed".to_owned()))
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        drop(self.client.take());
        if let Some(connection) = self.connection.take() {
            let _ = self
                .runtime
                .block_on(async { tokio::time::timeout(CLOSE_TIMEOUT, connection).await });
        }
    }
}

impl Db for PgDb {
    fn query(&self, sql: &str, params: &[Param]) -> Result<Rows, DbError> {
        let client = self.client()?;
        let bound = bind_all(params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|p| p.as_ref() as _).collect();
        let rows = self
            .runtime
            .block_on(client.query(sql, &refs))
            .map_err(error)?;
        let columns = rows
            .first()
            .map(|row| row.columns().iter().map(|c| c.name().to_owned()).collect())
            .unwrap_or_default();
        let values = rows.iter().map(row_values).collect::<Result<_, _>>()?;
        Ok(Rows::new(columns, values))
    }

    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        let client = self.client()?;
        let bound = bind_all(params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|p| p.as_ref() as _).collect();
        self.runtime
            .block_on(client.execute(sql, &refs))
            .map_err(error)
    }
}

/// A bound parameter.
type Bound = Box<dyn ToSql + Sync + Send>;

fn bind_all(params: &[Param]) -> Result<Vec<Bound>, DbError> {
    params.iter().map(bind).collect()
}

/// The Rust value Spin's host binds for the parameter a component sends for `param`.
fn bind(param: &Param) -> Result<Bound, DbError> {
    Ok(match param {
        Param::Null => Box::new(AnyNull),
        Param::Bool(v) => Box::new(*v),
        Param::Int16(v) => Box::new(*v),
        Param::Int32(v) => Box::new(*v),
        Param::Int64(v) => Box::new(*v),
        Param::Float64(v) => Box::new(*v),
        Param::Text(v) => Box::new(v.clone()),
        Param::Bytes(v) => Box::new(v.clone()),
        Param::Uuid(v) => Box::new(*v),
        Param::Json(v) => Box::new(v.clone()),
        Param::Numeric(v) => Box::new(
            Decimal::from_str_exact(v)
                .map_err(|e| DbError::Other(format!("bad parameter: invalid decimal {v}: {e}")))?,
        ),
    })
}

/// A NULL accepted for a placeholder of any type (an `Option<T>::None` would be checked
/// against `T`'s types).
#[derive(Debug)]
struct AnyNull;

impl ToSql for AnyNull {
    fn to_sql(
        &self,
        _ty: &Type,
        _out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(IsNull::Yes)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// A value of a type the mapping leaves unread: only whether it is NULL matters.
struct Present;

impl<'a> FromSql<'a> for Present {
    fn from_sql(
        _ty: &Type,
        _raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Present)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

fn row_values(row: &Row) -> Result<Vec<Value>, DbError> {
    (0..row.len()).map(|index| value(row, index)).collect()
}

/// Column `index` of `row` as a [`Value`] (see the module docs for the mapping).
fn value(row: &Row, index: usize) -> Result<Value, DbError> {
    let column = row.columns().get(index);
    let name = column.map_or_else(|| index.to_string(), |c| c.name().to_owned());
    let decode = |problem: String| DbError::Decode {
        column: name.clone(),
        problem,
    };
    let Some(column) = column else {
        return Err(decode("no such column".to_owned()));
    };
    fn read<'a, T: FromSql<'a>>(
        row: &'a Row,
        index: usize,
        wrap: impl FnOnce(T) -> Value,
    ) -> Result<Value, String> {
        match row.try_get::<_, Option<T>>(index) {
            Ok(Some(v)) => Ok(wrap(v)),
            Ok(None) => Ok(Value::Null),
            Err(e) => Err(e.to_string()),
        }
    }
    let ty = column.type_();
    match *ty {
        Type::BOOL => read(row, index, Value::Bool),
        Type::BYTEA => read(row, index, Value::Bytes),
        Type::FLOAT4 => read(row, index, |v: f32| Value::Float(f64::from(v))),
        Type::FLOAT8 => read(row, index, Value::Float),
        Type::INT2 => read(row, index, |v: i16| Value::Int(i64::from(v))),
        Type::INT4 => read(row, index, |v: i32| Value::Int(i64::from(v))),
        Type::INT8 => read(row, index, Value::Int),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => read(row, index, Value::Text),
        Type::TIMESTAMP => read(row, index, Value::DateTime),
        Type::TIMESTAMPTZ => Err(
            "a timestamptz column cannot be read (as under Spin): select it AT TIME ZONE 'UTC'"
                .to_owned(),
        ),
        Type::UUID => read(row, index, |v: uuid::Uuid| Value::Uuid(v.to_string())),
        Type::JSONB => match row.try_get::<_, Option<serde_json::Value>>(index) {
            Ok(Some(v)) => serde_json::to_vec(&sorted_keys(v))
                .map(Value::Json)
                .map_err(|e| format!("invalid JSON from the database: {e}")),
            Ok(None) => Ok(Value::Null),
            Err(e) => Err(e.to_string()),
        },
        Type::NUMERIC => read(row, index, |v: Decimal| Value::Numeric(v.to_string())),
        _ => read(row, index, |_: Present| Value::Other(ty.name().to_owned())),
    }
    .map_err(decode)
}

/// `value` with every object's keys in sorted order, as Spin writes JSONB (whether or not
/// serde_json keeps insertion order in this build).
fn sorted_keys(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(String, serde_json::Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted_keys(v)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted_keys).collect())
        }
        scalar => scalar,
    }
}

/// A driver error as hub-db reports it: Postgres' own errors with their SQLSTATE.
fn error(e: tokio_postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        return DbError::Query {
            code: Some(db.code().code().to_owned()),
            message: db.message().to_owned(),
        };
    }
    if e.is_closed() {
        return DbError::Unavailable(e.to_string());
    }
    DbError::Query {
        code: None,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(param: Param, ty: &Type) -> bool {
        let bound = bind(&param).unwrap();
        let mut out = bytes::BytesMut::new();
        bound.to_sql_checked(ty, &mut out).is_ok()
    }

    #[test]
    fn parameters_accept_the_placeholder_types_spin_accepts() {
        assert!(accepts(Param::Text("x".into()), &Type::TEXT));
        assert!(accepts(Param::Text("x".into()), &Type::VARCHAR));
        // Text is text: anything else needs a cast in SQL, as under Spin.
        assert!(!accepts(Param::Text("1".into()), &Type::INT4));
        assert!(!accepts(
            Param::Text("2026-01-01".into()),
            &Type::TIMESTAMPTZ
        ));
        assert!(!accepts(Param::Int32(1), &Type::INT8));
        assert!(accepts(Param::Int64(1), &Type::INT8));
        assert!(accepts(Param::Uuid(uuid::Uuid::nil()), &Type::UUID));
        assert!(accepts(Param::Json(serde_json::json!({})), &Type::JSONB));
        assert!(accepts(Param::Numeric("1.50".into()), &Type::NUMERIC));
        assert!(accepts(Param::Bytes(vec![1]), &Type::BYTEA));
        for ty in [Type::UUID, Type::INT4, Type::TIMESTAMPTZ, Type::JSONB] {
            assert!(accepts(Param::Null, &ty), "{ty}");
        }
        let err = bind(&Param::Numeric("1.5e3".into())).err().unwrap();
        assert!(err.to_string().contains("invalid decimal 1.5e3"), "{err}");
    }

    #[test]
    fn json_keys_are_sorted_at_every_depth() {
        let v = serde_json::json!({"b": 1, "a": {"z": [{"y": 1, "x": 2}], "c": null}});
        assert_eq!(
            serde_json::to_string(&sorted_keys(v)).unwrap(),
            r#"{"a":{"c":null,"z":[{"x":2,"y":1}]},"b":1}"#
        );
    }

    #[test]
    fn a_bad_connection_string_is_refused_without_echoing_it() {
        let err = PgDb::connect("postgres://u:s3cret@h:notaport/db").unwrap_err();
        assert!(matches!(err, DbError::Unavailable(_)), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn an_unreachable_server_is_unavailable() {
        // Port 1 on localhost: nothing listens there.
        let err = PgDb::connect("postgres://u:s3cret@127.0.0.1:1/db?sslmode=disable").unwrap_err();
        assert!(matches!(err, DbError::Unavailable(_)), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
