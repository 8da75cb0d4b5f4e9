//! A scripted [`Db`] for unit tests of query code: records statements, answers with prepared rows.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::{Db, DbError, Param, Rows};

/// Records every statement; answers queries from a queue of prepared results.
#[derive(Debug, Default)]
pub struct FakeDb {
    log: RefCell<Vec<(String, Vec<Param>)>>,
    results: RefCell<VecDeque<Result<Rows, DbError>>>,
    failures: RefCell<Vec<(String, DbError)>>,
}

impl FakeDb {
    /// An empty fake: queries return no rows, executes affect 1 row.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next query returns `rows`.
    pub fn push_rows(&self, rows: Rows) {
        self.results.borrow_mut().push_back(Ok(rows));
    }

    /// The next query fails with `error`.
    pub fn push_error(&self, error: DbError) {
        self.results.borrow_mut().push_back(Err(error));
    }

    /// Statements exactly equal to `sql` fail with `error`.
    pub fn fail_on(&self, sql: &str, error: DbError) {
        self.failures.borrow_mut().push((sql.to_owned(), error));
    }

    /// The statements run so far (SQL only).
    pub fn statements(&self) -> Vec<String> {
        self.log.borrow().iter().map(|(s, _)| s.clone()).collect()
    }

    /// The statements run so far, with their parameters.
    pub fn calls(&self) -> Vec<(String, Vec<Param>)> {
        self.log.borrow().clone()
    }

    fn record(&self, sql: &str, params: &[Param]) -> Result<(), DbError> {
        self.log
            .borrow_mut()
            .push((sql.to_owned(), params.to_vec()));
        match self.failures.borrow().iter().find(|(s, _)| s == sql) {
            Some((_, e)) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

impl Db for FakeDb {
    fn query(&self, sql: &str, params: &[Param]) -> Result<Rows, DbError> {
        self.record(sql, params)?;
        self.results
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Ok(Rows::default()))
    }

    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        self.record(sql, params)?;
        Ok(1)
    }
}
