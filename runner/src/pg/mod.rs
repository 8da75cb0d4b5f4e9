//! Host side of `spin:postgres/postgres@4.0.0`, behaving like Spin 4.0.x's outbound Postgres
//! (`spin-factor-outbound-pg`): same connection checks, same pooling, same parameter binding,
//! same type mapping, same error variants and texts. SQL that works here works under Spin.
//!
//! # Connections
//!
//! `connection.open(address)`:
//! 1. parses `address` with tokio-postgres (`postgres://user:pw@host:port/db?opts` or
//!    `host=... port=... user=...`); failure: `connection-failed("invalid connection string")`;
//! 2. checks every host (and, stricter than Spin, every `hostaddr`) with its port (default
//!    5432) against the component's `allowed_outbound_hosts` for scheme `postgres`; denied:
//!    `connection-failed("address postgres://HOST[:PORT] is not permitted")`; a Unix-socket host:
//!    `connection-failed("Unix sockets are not supported on WebAssembly")`;
//! 3. takes a client from the pool of that exact address string (deadpool-postgres, created
//!    on first use, `max_size_per_address` clients, recycling method `Clean` as in Spin; the
//!    most recently returned client is taken first, where Spin takes the oldest, so that at low
//!    concurrency the same backends stay warm);
//!    connection errors: `connection-failed(<error and its causes>)`.
//!
//! TLS is decided as Spin decides it (details in the `pg-tls` crate, shared with `hub-runner
//! migrate`): `sslmode=disable` connects in plain text; `prefer` (the default) asks the server
//! for TLS and stays in plain text only if the server declines; `require` fails if the server
//! declines (`connection-failed("Error occurred while creating a new object: error performing
//! TLS handshake\n\nCaused by:\n    0: error performing TLS handshake\n    1: server does not
//! support TLS")`). Whenever TLS is used the certificate is verified, chain against the
//! system's roots (`SSL_CERT_FILE` / `SSL_CERT_DIR` honoured) and name against `host`, under
//! `prefer` too: a server offering TLS with an untrusted certificate is a `connection-failed`
//! naming the rustls error (`... 1: invalid peer certificate: UnknownIssuer`), never a silent
//! fallback to plain text. Managed Postgres (Supabase, Neon, RDS, ...) works with
//! `sslmode=require` when its certificate chains to a trusted root; for a provider's own CA
//! (such as the one Supabase offers for download), trust it through `SSL_CERT_FILE`.
//!
//! Dropping the resource (or the whole request's store) gives the client back to the pool
//! *as it is*: a transaction left open stays open for the next user, exactly like Spin, so
//! always COMMIT/ROLLBACK before dropping. At most 1024 open connections per request (Spin's
//! table size): `connection-failed("too many connections")`.
//!
//! # Parameters: `parameter-value` -> bound Rust type
//!
//! Postgres infers each placeholder's type from the statement; the value is accepted only if
//! that Rust type accepts that Postgres type (tokio-postgres' `ToSql::accepts`). Otherwise the
//! statement fails with `query-failed(text("Error { kind: ToSql(N), cause: Some(WrongType {
//! postgres: <type>, rust: \"<rust type>\" }) }"))`, N being the 0-based parameter index.
//!
//! | parameter-value   | bound as (Rust type, as Spin)                   | accepted placeholder types |
//! |-------------------|-------------------------------------------------|----------------------------|
//! | `boolean`         | `bool`                                          | bool |
//! | `int8`            | `i8`                                            | `"char"` only (not int2!) |
//! | `int16`           | `i16`                                           | int2 |
//! | `int32`           | `i32`                                           | int4 |
//! | `int64`           | `i64`                                           | int8 |
//! | `floating32`      | `f32`                                           | float4 |
//! | `floating64`      | `f64`                                           | float8 |
//! | `str`             | `alloc::string::String`                         | text, varchar, bpchar, name, unknown, citext, ltree, lquery, ltxtquery (so `$1::vector` fails, `$1::text::vector` works) |
//! | `binary`          | `alloc::vec::Vec<u8>`                           | bytea |
//! | `date`            | `chrono::NaiveDate`                             | date |
//! | `time`            | `chrono::NaiveTime`                             | time |
//! | `datetime`        | `chrono::NaiveDateTime`                         | timestamp (not timestamptz) |
//! | `timestamp(secs)` | `chrono::DateTime<Utc>` (seconds since epoch)   | timestamptz (not timestamp) |
//! | `uuid`            | `uuid::Uuid` (parsed)                           | uuid |
//! | `jsonb`           | `serde_json::Value` (parsed)                    | json, jsonb |
//! | `decimal`         | `rust_decimal::Decimal` (`from_str_exact`)      | numeric |
//! | `range-int32`     | `postgres_range::Range<i32>` (normalised to `[a,b)`) | int4range |
//! | `range-int64`     | `postgres_range::Range<i64>` (normalised to `[a,b)`) | int8range |
//! | `range-decimal`   | `postgres_range::Range<RangeableDecimal>`       | numrange |
//! | `array-int32`     | `Vec<Option<i32>>`                              | int4[] |
//! | `array-int64`     | `Vec<Option<i64>>`                              | int8[] |
//! | `array-decimal`   | `Vec<Option<rust_decimal::Decimal>>`            | numeric[] |
//! | `array-str`       | `Vec<Option<String>>`                           | text[], varchar[], bpchar[], name[] |
//! | `interval`        | Spin's `Interval` (micros, days, months)        | interval |
//! | `db-null`         | typed-any NULL                                  | any |
//!
//! A value that cannot be converted before sending (bad date, unparsable uuid/json/decimal)
//! fails with `bad-parameter(text)` from `query` but `value-conversion-failed(text)` from
//! `execute` (Spin's asymmetry), e.g. `"invalid date y=2023, m=2, d=29"`,
//! `"invalid UUID x\n\nCaused by:\n    <uuid error>"`. Ranges whose bounds cross are sent as
//! `empty`.
//!
//! # Results: Postgres type -> `db-data-type` / `db-value`
//!
//! | Postgres type                      | column `db-data-type` | `db-value` |
//! |------------------------------------|-----------------------|------------|
//! | bool                               | `boolean`             | `boolean` |
//! | bytea                              | `binary`              | `binary` |
//! | float4 / float8                    | `floating32` / `floating64` | `floating32` / `floating64` |
//! | int2 / int4 / int8                 | `int16` / `int32` / `int64` | `int16` / `int32` / `int64` |
//! | text, varchar, bpchar (`char(n)`)  | `str`                 | `str` |
//! | timestamp                          | `datetime`            | `datetime((y, mon, d, h, min, s, nanos))` |
//! | timestamptz                        | `datetime`            | none: the whole query fails (below), even for NULL |
//! | date                               | `date`                | `date((y, mon, d))` |
//! | time                               | `time`                | `time((h, min, s, nanos))` |
//! | uuid                               | `uuid`                | `uuid("hyphenated-lowercase")` |
//! | jsonb                              | `jsonb`               | `jsonb(bytes)`: compact JSON text, object keys sorted, numbers as serde_json reads them (i64/u64/f64: `2.50` -> `2.5`, huge integers -> `1.2345678901234568e22`) |
//! | numeric                            | `decimal`             | `decimal("1.50")` (rust_decimal text: more than 28 fractional digits are rounded; NaN, ±Infinity and magnitudes beyond 96 bits fail the query) |
//! | int4range / int8range              | `range-int32` / `range-int64` | `(lower, upper)` bounds with kind; `empty` -> `(none, none)` |
//! | numrange                           | `range-decimal`       | same, bounds as decimal strings |
//! | int4[] / int8[]                    | `array-int32` / `array-int64` | `list<option<..>>` (multi-dimensional arrays fail) |
//! | numeric[]                          | `array-decimal`       | `list<option<string>>` |
//! | text[], varchar[], bpchar[]        | `array-str`           | `list<option<string>>` |
//! | interval                           | `interval`            | `interval { micros, days, months }` |
//! | anything else (json, `"char"`, name, oid, timetz, inet, money, xml, bool[], uuid[], jsonb[], int2[], float8[], enums, domains, pgvector `vector`, ...) | `other(<pg type name>)` e.g. `other("vector")`, `other("_int2")` | `unsupported(<raw binary wire bytes>)` |
//! | NULL (any column type but timestamptz) | —                 | `db-null` |
//!
//! The `int8` and `timestamp` data types are never reported. Columns are taken from the first
//! row, so a query returning no rows has `columns: []`.
//!
//! # Errors
//!
//! * Postgres errors reported before the first row (parse/plan/bind: syntax, unknown column,
//!   type errors, constant-folded ones such as `SELECT 1/0`) and every error of `execute`: `query-failed(db-error { as-text: <tokio-postgres error Debug>,
//!   severity, code (SQLSTATE), message, detail, extras })`, extras being the present ones of
//!   `column, constraint, routine, hint, table, datatype, schema, file, line, where_`.
//! * Other client errors (parameter type/count mismatch, closed connection):
//!   `query-failed(text(<tokio-postgres error Debug>))`.
//! * In `query`, errors met while reading rows come back re-wrapped as Spin 4 does it:
//!   `query-failed(text("Error::QueryFailed(QueryError::...)"))`, i.e. the Debug text of the
//!   inner error. This covers Postgres errors raised during execution (division by zero,
//!   unique violation in `INSERT ... RETURNING`, ...) and value conversion failures, e.g. a
//!   timestamptz column gives `query-failed(text("Error::QueryFailed(QueryError::Text(\"error
//!   deserializing column 0\\n\\nCaused by:\\n    cannot convert between the Rust type
//!   `core::option::Option<chrono::naive::datetime::NaiveDateTime>` and the Postgres type
//!   `timestamptz`\"))"))`. Select `col AT TIME ZONE 'UTC'`, `col::timestamp` or
//!   `extract(epoch from col)` instead.
//! * A result set larger than 128 MiB: `query-failed(text("query result exceeds limit of
//!   134217728 bytes"))`.
//!
//! Spin 3.4-3.6 (SpinKube) collect rows before converting them, so there a Postgres error
//! raised during execution stays a structured `db-error`, and a conversion failure is
//! `query-failed(text("error deserializing column N\n\nCaused by:\n    ..."))` without the
//! `Error::QueryFailed(...)` wrapper. Guest code that inspects errors should accept both (e.g.
//! look for the SQLSTATE in `db-error.code` or, failing that, `code: "23505"` in the text);
//! writes whose errors matter are best done with `execute`, which is structured everywhere.

// The guest-facing `Error` (bindgen's) is what the host functions return, large or not.
#![allow(clippy::result_large_err)]

mod address;
mod errors;
mod params;
mod values;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt as _;
use tokio_postgres::types::ToSql;
use wasmtime::component::{HasSelf, Linker, Resource, ResourceTable};

use crate::bindings::spin::postgres::postgres::{
    self as wit, DbValue, Error, ParameterValue, QueryError, RowSet,
};
use errors::{error_text, query_failed, rewrapped};

/// Spin's per-instance connection table size.
const MAX_CONNECTIONS_PER_REQUEST: usize = 1024;
/// Most prepared statements one pooled connection keeps ([`prepare`]).
const MAX_CACHED_STATEMENTS: usize = 512;
/// Spin's limit on the bytes a query result may occupy in the host.
const MAX_RESULT_BYTES: usize = 128 << 20;

/// The host representation of a `connection` resource: a client checked out of a pool. It
/// goes back to the pool when dropped.
pub struct Connection {
    client: deadpool_postgres::Object,
}

/// Connection pools shared by all requests: one per distinct connection string.
pub struct PgPools {
    max_size: usize,
    pools: Mutex<HashMap<String, deadpool_postgres::Pool>>,
}

impl PgPools {
    pub fn new(max_size_per_address: usize) -> Self {
        Self {
            max_size: max_size_per_address.max(1),
            pools: Mutex::new(HashMap::new()),
        }
    }

    fn pool(
        &self,
        address: &str,
        config: tokio_postgres::Config,
    ) -> Result<deadpool_postgres::Pool, String> {
        let mut pools = self
            .pools
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(pool) = pools.get(address) {
            return Ok(pool.clone());
        }
        tracing::debug!(config = ?config, "creating Postgres connection pool"); // Debug redacts the password
        // As Spin: plain for sslmode=disable, a verifying TLS connector otherwise.
        let manager_config = deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Clean,
        };
        let manager = match pg_tls::connector_for(&config)
            .map_err(|e| errors::context_text("establishing PostgreSQL connection pool", &e))?
        {
            pg_tls::PgConnector::Plain => deadpool_postgres::Manager::from_config(
                config,
                tokio_postgres::NoTls,
                manager_config,
            ),
            pg_tls::PgConnector::Tls(tls) => {
                deadpool_postgres::Manager::from_config(config, tls, manager_config)
            }
        };
        // The most recently returned client first: at low concurrency the same few
        // connections serve, their backends and kept statements warm (Spin takes the oldest).
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(self.max_size)
            .queue_mode(deadpool_postgres::QueueMode::Lifo)
            .build()
            .map_err(|e| errors::context_text("establishing PostgreSQL connection pool", &e))?;
        pools.insert(address.to_owned(), pool.clone());
        Ok(pool)
    }
}

impl std::fmt::Debug for PgPools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the addresses: they carry passwords.
        let count = self.pools.lock().map(|p| p.len()).unwrap_or_default();
        f.debug_struct("PgPools")
            .field("max_size", &self.max_size)
            .field("pools", &count)
            .finish()
    }
}

/// The component's `allowed_outbound_hosts` check for scheme `postgres`: `allow(host, port)`.
pub type AllowFn = dyn Fn(&str, u16) -> bool + Send + Sync;

/// Per-request state: the request's open connections.
pub struct PgState {
    pools: Arc<PgPools>,
    allow: Arc<AllowFn>,
    table: ResourceTable,
    open_connections: usize,
}

impl PgState {
    /// `allow(host, port)` is the component's `allowed_outbound_hosts` check for scheme
    /// `postgres`.
    pub fn new(pools: Arc<PgPools>, allow: Arc<AllowFn>) -> Self {
        Self {
            pools,
            allow,
            table: ResourceTable::new(),
            open_connections: 0,
        }
    }

    async fn open_connection(&mut self, address: &str) -> Result<Connection, Error> {
        let config = address::check_address(address, &*self.allow)?;
        if self.open_connections >= MAX_CONNECTIONS_PER_REQUEST {
            return Err(Error::ConnectionFailed("too many connections".to_owned()));
        }
        let pool = self
            .pools
            .pool(address, config)
            .map_err(Error::ConnectionFailed)?;
        let client = pool
            .get()
            .await
            .map_err(|e| Error::ConnectionFailed(error_text(&e)))?;
        Ok(Connection { client })
    }

    fn client(
        &self,
        connection: &Resource<Connection>,
    ) -> Result<&deadpool_postgres::ClientWrapper, Error> {
        self.table
            .get(connection)
            .map(|c| &*c.client)
            .map_err(|_| Error::ConnectionFailed("no connection found".to_owned()))
    }
}

impl std::fmt::Debug for PgState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgState")
            .field("open_connections", &self.open_connections)
            .finish()
    }
}

/// Links `spin:postgres/postgres@4.0.0` into `linker`, with `get` giving the request's state.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut PgState,
) -> anyhow::Result<()> {
    wit::add_to_linker::<T, HasSelf<PgState>>(linker, get)?;
    Ok(())
}

/// `query` as Spin 4 runs it: rows are streamed and converted one by one; the first failure
/// ends the query.
async fn run_query(
    client: &deadpool_postgres::ClientWrapper,
    statement: &str,
    params: &[ParameterValue],
) -> Result<RowSet, Error> {
    let params = params::to_sql_parameters(params).map_err(Error::BadParameter)?;
    let refs = || params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync));
    let prepared = prepare(client, statement).await?;
    let stream = match client.query_raw(&prepared, refs()).await {
        Err(e) if is_stale(&e) => {
            let prepared = prepare_again(client, statement).await?;
            client.query_raw(&prepared, refs()).await
        }
        other => other,
    }
    .map_err(|e| query_failed(&e))?;
    let mut stream = std::pin::pin!(stream);

    let mut columns = None;
    let mut rows = Vec::new();
    let mut size = std::mem::size_of::<RowSet>();
    while let Some(next) = stream.next().await {
        let row = next.map_err(|e| rewrapped(&query_failed(&e)))?;
        if columns.is_none() {
            columns = Some(values::columns(&row));
        }
        let converted = values::convert_row(&row)
            .map_err(|text| rewrapped(&Error::QueryFailed(QueryError::Text(text))))?;
        size += converted.iter().map(memory_size).sum::<usize>();
        if size > MAX_RESULT_BYTES {
            return Err(Error::QueryFailed(QueryError::Text(format!(
                "query result exceeds limit of {MAX_RESULT_BYTES} bytes"
            ))));
        }
        rows.push(converted);
    }
    Ok(RowSet {
        columns: columns.unwrap_or_default(),
        rows,
    })
}

async fn run_execute(
    client: &deadpool_postgres::ClientWrapper,
    statement: &str,
    params: &[ParameterValue],
) -> Result<u64, Error> {
    let params = params::to_sql_parameters(params).map_err(Error::ValueConversionFailed)?;
    let refs: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let prepared = prepare(client, statement).await?;
    match client.execute(&prepared, &refs).await {
        Err(e) if is_stale(&e) => {
            let prepared = prepare_again(client, statement).await?;
            client.execute(&prepared, &refs).await
        }
        other => other,
    }
    .map_err(|e| query_failed(&e))
}

/// `statement` prepared on this pooled connection: from its cache, else prepared now and kept
/// (Spin prepares every statement anew: two round trips and a plan each time; the results and
/// errors are the same). Kept are the statements that read and write rows and those of
/// transaction control ([`keeps_plan`]); any other (DDL, `DISCARD`, `DEALLOCATE`, ...) is
/// prepared anew and empties the cache first, since it may change what the kept statements
/// would return. A connection keeps at most [`MAX_CACHED_STATEMENTS`]: past that its cache is
/// emptied (the statements are closed) and fills again.
async fn prepare(
    client: &deadpool_postgres::ClientWrapper,
    statement: &str,
) -> Result<tokio_postgres::Statement, Error> {
    if !keeps_plan(statement) {
        client.statement_cache.clear();
        return client
            .prepare(statement)
            .await
            .map_err(|e| query_failed(&e));
    }
    let prepared = client
        .prepare_cached(statement)
        .await
        .map_err(|e| query_failed(&e))?;
    if client.statement_cache.size() > MAX_CACHED_STATEMENTS {
        client.statement_cache.clear();
    }
    Ok(prepared)
}

/// Whether `statement` may be kept prepared: its first word (after blanks, `--` comments and
/// opening parentheses) names a statement on rows or a transaction's control.
fn keeps_plan(statement: &str) -> bool {
    const KEPT: [&str; 16] = [
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "WITH",
        "VALUES",
        "TABLE",
        "MERGE",
        "BEGIN",
        "START",
        "COMMIT",
        "END",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "SHOW",
    ];
    let mut rest = statement;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        match rest.strip_prefix("--") {
            Some(comment) => rest = comment.split_once('\n').map_or("", |(_, after)| after),
            None => break,
        }
    }
    let word: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
    KEPT.iter().any(|k| k.eq_ignore_ascii_case(&word))
}

/// `statement` prepared anew after its cached form went stale.
async fn prepare_again(
    client: &deadpool_postgres::ClientWrapper,
    statement: &str,
) -> Result<tokio_postgres::Statement, Error> {
    client.statement_cache.remove(statement, &[]);
    prepare(client, statement).await
}

/// Whether a kept statement failed because it is stale, not because of what it does: the
/// server no longer has it (`26000`, say after a `DEALLOCATE` inside a function), or another
/// connection changed the schema of its result (`0A000` "cached plan must not change result
/// type"). Prepared anew, it runs as it would have under Spin; inside a transaction block the
/// failure has aborted the transaction already, so there the guest sees it (a schema change by
/// another connection while this one is in a transaction: rare, and the transaction can be
/// retried).
fn is_stale(err: &tokio_postgres::Error) -> bool {
    err.as_db_error().is_some_and(|db| {
        let code = db.code().code();
        code == "26000"
            || (code == "0A000"
                && db
                    .message()
                    .contains("cached plan must not change result type"))
    })
}

/// How Spin accounts a value against the result size limit.
fn memory_size(value: &DbValue) -> usize {
    let base = std::mem::size_of::<DbValue>();
    match value {
        DbValue::ArrayInt32(v) => base + v.len() * std::mem::size_of::<Option<i32>>(),
        DbValue::ArrayInt64(v) => base + v.len() * std::mem::size_of::<Option<i64>>(),
        DbValue::ArrayDecimal(v) | DbValue::ArrayStr(v) => {
            base + v
                .iter()
                .map(|s| std::mem::size_of::<Option<String>>() + s.as_ref().map_or(0, String::len))
                .sum::<usize>()
        }
        DbValue::Str(s) | DbValue::Uuid(s) | DbValue::Decimal(s) => base + s.len(),
        DbValue::Jsonb(b) | DbValue::Binary(b) | DbValue::Unsupported(b) => base + b.len(),
        _ => base,
    }
}

impl wit::HostConnection for PgState {
    async fn open(
        &mut self,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let connection = match self.open_connection(&address).await {
            Ok(connection) => connection,
            Err(e) => return Ok(Err(e)),
        };
        let resource = self.table.push(connection)?;
        self.open_connections += 1;
        Ok(Ok(resource))
    }

    async fn query(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<RowSet, Error>> {
        let client = match self.client(&connection) {
            Ok(client) => client,
            Err(e) => return Ok(Err(e)),
        };
        Ok(run_query(client, &statement, &params).await)
    }

    async fn execute(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<u64, Error>> {
        let client = match self.client(&connection) {
            Ok(client) => client,
            Err(e) => return Ok(Err(e)),
        };
        Ok(run_execute(client, &statement, &params).await)
    }

    async fn drop(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        if self.table.delete(connection).is_ok() {
            self.open_connections = self.open_connections.saturating_sub(1);
        }
        Ok(())
    }
}

impl wit::Host for PgState {}

#[cfg(test)]
mod tests;
