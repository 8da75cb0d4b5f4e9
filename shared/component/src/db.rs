//! [`hub_db::Db`] over Spin's `spin:postgres@4.0.0` connection.

use hub_db::{Db, DbError, Param, Rows, Value};
use spin_sdk::pg4::{self, Connection, DbValue, ParameterValue, QueryError};

/// The database of a request ([`crate::database`] opens it).
pub struct PgDb {
    conn: Connection,
}

impl PgDb {
    pub(crate) fn new(conn: Connection) -> Self {
        Self { conn }
    }
}

fn param(p: &Param) -> ParameterValue {
    match p {
        Param::Null => ParameterValue::DbNull,
        Param::Bool(b) => ParameterValue::Boolean(*b),
        Param::Int16(i) => ParameterValue::Int16(*i),
        Param::Int32(i) => ParameterValue::Int32(*i),
        Param::Int64(i) => ParameterValue::Int64(*i),
        Param::Float64(f) => ParameterValue::Floating64(*f),
        Param::Text(s) => ParameterValue::Str(s.clone()),
        Param::Bytes(b) => ParameterValue::Binary(b.clone()),
        Param::Uuid(u) => ParameterValue::Uuid(u.to_string()),
        Param::Json(j) => ParameterValue::Jsonb(j.to_string().into_bytes()),
        Param::Numeric(n) => ParameterValue::Decimal(n.clone()),
    }
}

fn value(v: &DbValue) -> Value {
    match v {
        DbValue::DbNull => Value::Null,
        DbValue::Boolean(b) => Value::Bool(*b),
        DbValue::Int8(i) => Value::Int(i64::from(*i)),
        DbValue::Int16(i) => Value::Int(i64::from(*i)),
        DbValue::Int32(i) => Value::Int(i64::from(*i)),
        DbValue::Int64(i) => Value::Int(*i),
        DbValue::Floating32(f) => Value::Float(f64::from(*f)),
        DbValue::Floating64(f) => Value::Float(*f),
        DbValue::Str(s) => Value::Text(s.clone()),
        DbValue::Binary(b) => Value::Bytes(b.clone()),
        DbValue::Uuid(u) => Value::Uuid(u.clone()),
        DbValue::Jsonb(j) => Value::Json(j.clone()),
        DbValue::Decimal(d) => Value::Numeric(d.clone()),
        DbValue::Datetime((y, mo, d, h, mi, s, ns)) => {
            chrono::NaiveDate::from_ymd_opt(*y, u32::from(*mo), u32::from(*d))
                .and_then(|date| {
                    date.and_hms_nano_opt(u32::from(*h), u32::from(*mi), u32::from(*s), *ns)
                })
                .map_or_else(|| Value::Other("datetime".to_owned()), Value::DateTime)
        }
        other => Value::Other(format!("{other:?}").chars().take(40).collect()),
    }
}

/// The SQLSTATE inside a textual error (Spin 4 reports errors raised while rows are read as text).
fn sqlstate_in(text: &str) -> Option<String> {
    let start = text.find("code: \"")? + "code: \"".len();
    let code: String = text[start..].chars().take(5).collect();
    (code.len() == 5 && code.chars().all(|c| c.is_ascii_alphanumeric())).then_some(code)
}

fn error(e: pg4::PgError) -> DbError {
    match e {
        pg4::PgError::ConnectionFailed(m) => DbError::Unavailable(m),
        pg4::PgError::QueryFailed(QueryError::DbError(db)) => DbError::Query {
            code: Some(db.code),
            message: db.message,
        },
        pg4::PgError::QueryFailed(QueryError::Text(t)) => DbError::Query {
            code: sqlstate_in(&t),
            message: t,
        },
        pg4::PgError::BadParameter(m) => DbError::Other(format!("bad parameter: {m}")),
        pg4::PgError::ValueConversionFailed(m) => DbError::Other(format!("value conversion: {m}")),
        pg4::PgError::Other(m) => DbError::Other(m),
    }
}

impl Db for PgDb {
    fn query(&self, sql: &str, params: &[Param]) -> Result<Rows, DbError> {
        let params: Vec<ParameterValue> = params.iter().map(param).collect();
        let set = self.conn.query(sql, &params).map_err(error)?;
        let columns = set.columns.iter().map(|c| c.name.clone()).collect();
        let rows = set
            .rows
            .iter()
            .map(|r| r.iter().map(value).collect())
            .collect();
        Ok(Rows::new(columns, rows))
    }

    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        let params: Vec<ParameterValue> = params.iter().map(param).collect();
        self.conn.execute(sql, &params).map_err(error)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_sqlstate_in_text_errors() {
        let t = r#"Error::QueryFailed(QueryError::DbError(DbError { as-text: "x", severity: "ERROR", code: "23505", message: "duplicate key" }))"#;
        assert_eq!(super::sqlstate_in(t).as_deref(), Some("23505"));
        assert_eq!(super::sqlstate_in("no code here"), None);
    }
}
