//! Storing a finished answer, step by step, through a database that may be unavailable for a
//! while: which failures are worth waiting for ([`is_transient`]), what is still to be stored
//! ([`Store`]) and how long to wait between attempts ([`StoreRetry`]). The component does the
//! waiting; everything decided is here.

use std::time::Duration;

use hub_db::messages::{self, Message};
use hub_db::{Db, DbError, chats, usage};

use crate::title::{self, TitleDraft};
use crate::{Charge, Exchange, Outcome};

/// How long, by default, an answer is tried again to be stored while the database is
/// unavailable (variable `answer_store_retry_secs`).
pub const STORE_RETRY_SECS: u64 = 15;

/// The first pause between two attempts to store an answer.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
/// The longest pause between two attempts.
const LONGEST_PAUSE: Duration = Duration::from_secs(2);

/// Whether a failed statement may succeed when tried again shortly: the database could not be
/// reached or refused the connection, or the connection broke (SQLSTATE class `08`, the server
/// shutting down or starting up `57P01`–`57P03`, too many connections `53300`, a connection
/// the client found closed), or the statement lost a race (`40001` serialization failure,
/// `40P01` deadlock). Anything else (a constraint, the SQL, a value that cannot be read) fails
/// again the same way.
pub fn is_transient(err: &DbError) -> bool {
    match err {
        DbError::Unavailable(_) => true,
        DbError::Query {
            code: Some(code), ..
        } => {
            code.starts_with("08")
                || matches!(
                    code.as_str(),
                    "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01"
                )
        }
        // A client error without a SQLSTATE: tokio-postgres (under Spin and the runner alike)
        // describes a connection that went away as `Error { kind: Closed | Io, .. }`.
        DbError::Query {
            code: None,
            message,
        } => message.contains("kind: Closed") || message.contains("kind: Io"),
        DbError::Decode { .. } | DbError::Other(_) => false,
    }
}

/// What [`Exchange::finish`] (or a [`Store`]) stored.
#[derive(Debug, Default)]
pub struct Finished {
    /// The answer as stored (`None` if storing it failed).
    pub message: Option<Message>,
    /// The answer's tokens and cost, when there were any.
    pub charge: Option<Charge>,
    /// The title this exchange gave the chat.
    pub title: Option<String>,
    /// What went wrong on the way without failing the answer (to be logged).
    pub problems: Vec<String>,
    /// Whether something was left unstored because the database stayed unavailable.
    pub unavailable: bool,
}

/// The steps still to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Due {
    answer: bool,
    usage: bool,
    title_usage: bool,
    title: bool,
}

impl Due {
    fn any(self) -> bool {
        self.answer || self.usage || self.title_usage || self.title
    }
}

/// The storing of an exchange's result: the answer, its usage row, and after a first exchange
/// the title request's usage row and the title, each step on its own (a failed usage row never
/// loses the answer). A step that fails for a transient reason ([`is_transient`]) stays due and
/// is tried again by the next [`Store::attempt`]; any other failure is final and reported in
/// [`Finished::problems`].
///
/// Storing the answer and the title may run twice without harm. A usage row is inserted again
/// only when its insert failed; should the database have committed it and then lost the
/// connection before answering, the row is there twice (a window of microseconds, accepted
/// rather than losing the row).
#[derive(Debug)]
pub struct Store<'a> {
    exchange: &'a Exchange,
    outcome: &'a Outcome,
    draft: TitleDraft,
    due: Due,
    finished: Finished,
    /// Why the last attempt left steps due.
    waiting: Option<DbError>,
}

impl Exchange {
    /// The storing of `outcome` (and of `title`, the title request's result after a first
    /// exchange), nothing attempted yet.
    pub fn store<'a>(&'a self, outcome: &'a Outcome, title: Option<TitleDraft>) -> Store<'a> {
        let prompt_bytes = self.request.messages.iter().map(|m| m.content.len()).sum();
        let charge = Charge::of_answer(&self.target, prompt_bytes, outcome);
        let due = Due {
            answer: true,
            usage: charge.is_some(),
            title_usage: title.as_ref().is_some_and(|t| t.usage.is_some()),
            title: title.is_some(),
        };
        Store {
            exchange: self,
            outcome,
            draft: title.unwrap_or_default(),
            due,
            finished: Finished {
                charge,
                ..Finished::default()
            },
            waiting: None,
        }
    }

    /// Stores the answer as the outcome says, its usage row, and the title (the model's, else
    /// one from the question) when `title` is given and the chat has none yet: one attempt at
    /// each step, whatever happened to the one before.
    pub fn finish(&self, db: &dyn Db, outcome: &Outcome, title: Option<TitleDraft>) -> Finished {
        let mut store = self.store(outcome, title);
        store.attempt(db);
        store.give_up()
    }
}

impl<'a> Store<'a> {
    /// Tries every step that is still due.
    pub fn attempt(&mut self, db: &dyn Db) {
        self.waiting = None;
        let exchange = self.exchange;
        let outcome = self.outcome;
        if self.due.answer {
            let (status, error) = outcome.status();
            let (id, owner, text) = (exchange.answer_id, exchange.owner, &outcome.summary.text);
            // The answer with its usage row in one statement; after a lasting failure of that,
            // the answer alone, and the usage row on its own below.
            let together = match (self.due.usage, self.usage_row()) {
                (true, Some(row)) => {
                    match messages::finalize_with_usage(
                        db,
                        id,
                        owner,
                        text,
                        status,
                        error.as_deref(),
                        &row,
                    ) {
                        Ok(message) => {
                            self.due.usage = false;
                            Some(Ok(message))
                        }
                        Err(e) if is_transient(&e) => Some(Err(e)),
                        Err(_) => None,
                    }
                }
                _ => None,
            };
            let result = together.unwrap_or_else(|| {
                messages::finalize(db, id, owner, text, status, error.as_deref())
            });
            if let Some(message) = self.settle(result, "store answer") {
                self.due.answer = false;
                self.finished.message = message;
            }
        }
        if self.due.usage
            && let Some(row) = self.usage_row()
            && self
                .settle(usage::insert(db, exchange.owner, &row), "record usage of")
                .is_some()
        {
            self.due.usage = false;
        }
        if self.due.title_usage
            && let Some((used, latency)) = self.draft.usage
        {
            let target = &exchange.target;
            let row =
                Charge::new(target, used, false).row(target, exchange.chat.id, None, latency, None);
            if self
                .settle(
                    usage::insert(db, exchange.owner, &row),
                    "record the title's usage for",
                )
                .is_some()
            {
                self.due.title_usage = false;
            }
        }
        if self.due.title {
            match self.title_text() {
                None => self.due.title = false,
                Some(text) => {
                    let (chat, owner) = (exchange.chat.id, exchange.owner);
                    let set = chats::set_title_if_unset(db, chat, owner, &text);
                    if let Some(set) = self.settle(set, "set the title after") {
                        self.due.title = false;
                        // The title as stored, when this exchange set it.
                        self.finished.title = set
                            .then(|| chats::find(db, chat, owner).ok().flatten())
                            .flatten()
                            .and_then(|c| c.title);
                    }
                }
            }
        }
    }

    /// The database could not be reached at all (`err`): when that is transient every due
    /// step stays due, otherwise they fail.
    pub fn unreachable(&mut self, err: DbError) {
        if is_transient(&err) {
            self.waiting = Some(err);
        } else {
            self.finished.problems.push(format!(
                "could not store answer {}: {err}",
                self.exchange.answer_id
            ));
            self.due = Due {
                answer: false,
                usage: false,
                title_usage: false,
                title: false,
            };
        }
    }

    /// Why steps are still due after the last attempt, if they are: the transient failure
    /// worth waiting out. `None` once everything that could be stored is.
    pub fn waiting(&self) -> Option<&DbError> {
        self.waiting.as_ref().filter(|_| self.due.any())
    }

    /// What was stored; steps still due are given up (reported as problems, and
    /// [`Finished::unavailable`] is set).
    pub fn give_up(mut self) -> Finished {
        if self.due.any() {
            let reason = self
                .waiting
                .as_ref()
                .map_or_else(|| "not attempted".to_owned(), ToString::to_string);
            let mut left = Vec::new();
            for (due, step) in [
                (self.due.answer, "the answer"),
                (self.due.usage, "its usage"),
                (self.due.title_usage, "the title's usage"),
                (self.due.title, "the title"),
            ] {
                if due {
                    left.push(step);
                }
            }
            self.finished.problems.push(format!(
                "answer {}: {} not stored: {reason}",
                self.exchange.answer_id,
                left.join(", ")
            ));
            self.finished.unavailable = true;
        }
        self.finished
    }

    /// The answer's usage row, when it has tokens.
    fn usage_row(&self) -> Option<usage::NewUsage<'a>> {
        let (exchange, outcome) = (self.exchange, self.outcome);
        self.finished.charge.map(|charge| {
            charge.row(
                &exchange.target,
                exchange.chat.id,
                Some(exchange.answer_id),
                outcome.latency,
                outcome.ttft,
            )
        })
    }

    /// The title to set: the model's, else one from the question.
    fn title_text(&self) -> Option<String> {
        self.draft
            .text
            .clone()
            .or_else(|| title::from_message(&self.exchange.question.content))
    }

    /// The value of a step once it is settled: its result, or after a lasting failure (which
    /// is reported) the default. `None` after a transient failure, which is remembered: the
    /// step stays due.
    fn settle<T: Default>(&mut self, result: Result<T, DbError>, what: &str) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) if is_transient(&e) => {
                self.waiting = Some(e);
                None
            }
            Err(e) => {
                self.finished
                    .problems
                    .push(format!("could not {what} {}: {e}", self.exchange.answer_id));
                Some(T::default())
            }
        }
    }
}

/// When to try again to store an answer while the database is unavailable: after 250 ms, then
/// twice as long each time up to 2 s, for at most `budget` in all since the first attempt
/// (the caller measures the time).
#[derive(Debug, Clone)]
pub struct StoreRetry {
    budget: Duration,
    next: Duration,
}

impl StoreRetry {
    /// Pauses within `budget`.
    pub fn new(budget: Duration) -> Self {
        Self {
            budget,
            next: FIRST_PAUSE,
        }
    }

    /// The pause before the next attempt, `elapsed` after the first one; `None` once the
    /// budget is spent (the last pause ends exactly at the budget).
    pub fn pause(&mut self, elapsed: Duration) -> Option<Duration> {
        let left = self.budget.checked_sub(elapsed).filter(|d| !d.is_zero())?;
        let pause = self.next.min(left);
        self.next = (self.next * 2).min(LONGEST_PAUSE);
        Some(pause)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use hub_db::chats::Chat;
    use hub_db::messages::{Role, Status};
    use hub_db::testing::FakeDb;
    use hub_db::{Owner, Param, Rows};
    use hub_providers::{ProviderError, ProviderKind, StreamSummary, Usage};
    use uuid::Uuid;

    use super::*;
    use crate::Prompt;
    use crate::testing::{message, target};

    /// `db` that passes `passes` statements on, then fails every one with `error` (the database
    /// went down, or dropped the connection).
    struct Outage<'a> {
        db: &'a FakeDb,
        passes: Cell<usize>,
        error: DbError,
    }

    impl<'a> Outage<'a> {
        fn after(db: &'a FakeDb, passes: usize, error: DbError) -> Self {
            Self {
                db,
                passes: Cell::new(passes),
                error,
            }
        }

        /// The database down from the start.
        fn down(db: &'a FakeDb) -> Self {
            Self::after(db, 0, DbError::Unavailable("connection refused".to_owned()))
        }

        fn check(&self) -> Result<(), DbError> {
            let left = self.passes.get();
            if left == 0 {
                return Err(self.error.clone());
            }
            self.passes.set(left - 1);
            Ok(())
        }
    }

    impl Db for Outage<'_> {
        fn query(&self, sql: &str, params: &[Param]) -> Result<Rows, DbError> {
            self.check()?;
            self.db.query(sql, params)
        }

        fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
            self.check()?;
            self.db.execute(sql, params)
        }
    }

    fn exchange(first: bool) -> Exchange {
        let target = target(None);
        let question = message(Role::User, "Wie spät ist es in Tokio?", Status::Complete);
        let request = Prompt::from_history(std::slice::from_ref(&question)).request(&target, None);
        Exchange {
            owner: Owner::new(Uuid::now_v7()),
            chat: Chat {
                id: Uuid::now_v7(),
                title: None,
                model: None,
                temperature: None,
                created_at: chrono::DateTime::UNIX_EPOCH,
                updated_at: chrono::DateTime::UNIX_EPOCH,
                assistant: None,
                collection_ids: vec![],
            },
            target,
            request,
            question,
            answer_id: Uuid::now_v7(),
            sources: vec![],
            first_exchange: first,
        }
    }

    fn answered(text: &str, error: Option<ProviderError>) -> Outcome {
        Outcome {
            summary: StreamSummary {
                text: text.to_owned(),
                usage: Some(Usage {
                    input: 10,
                    output: 5,
                    cached: 0,
                }),
                finish: None,
                error,
            },
            ..Outcome::default()
        }
    }

    fn draft() -> TitleDraft {
        TitleDraft {
            text: Some("Uhrzeit in Tokio".to_owned()),
            usage: Some((
                Usage {
                    input: 30,
                    output: 4,
                    cached: 0,
                },
                Duration::from_millis(300),
            )),
        }
    }

    fn verbs(statements: &[String]) -> Vec<&str> {
        statements
            .iter()
            .map(|s| s.split_whitespace().next().unwrap_or_default())
            .collect()
    }

    #[test]
    fn connection_failures_are_transient_and_the_rest_is_not() {
        for transient in [
            DbError::Unavailable("refused".to_owned()),
            DbError::query(Some("08006"), "connection failure"),
            DbError::query(
                Some("57P01"),
                "terminating connection due to administrator command",
            ),
            DbError::query(Some("57P03"), "the database system is starting up"),
            DbError::query(Some("40P01"), "deadlock detected"),
            DbError::query(None, "Error { kind: Closed, cause: None }"),
        ] {
            assert!(is_transient(&transient), "{transient}");
        }
        for lasting in [
            DbError::query(Some("23505"), "duplicate key"),
            DbError::query(Some("42P01"), "relation does not exist"),
            DbError::query(None, "error deserializing column 0"),
            DbError::Other("bad parameter".to_owned()),
            DbError::Decode {
                column: "id".to_owned(),
                problem: "expected uuid".to_owned(),
            },
        ] {
            assert!(!is_transient(&lasting), "{lasting}");
        }
    }

    #[test]
    fn steps_wait_while_the_database_is_down_and_are_stored_once_it_is_back() {
        let exchange = exchange(true);
        let outcome = answered("Es ist 21 Uhr.", None);
        let db = FakeDb::new();
        let mut store = exchange.store(&outcome, Some(draft()));
        store.attempt(&Outage::down(&db));
        assert!(matches!(store.waiting(), Some(DbError::Unavailable(_))));
        store.unreachable(DbError::Unavailable("refused".to_owned()));
        assert!(store.waiting().is_some());
        assert!(db.statements().is_empty());

        store.attempt(&db);
        assert!(store.waiting().is_none());
        // The answer with its usage row (one statement), the title's usage, the title, and
        // the chat read back.
        assert_eq!(
            verbs(&db.statements()),
            ["WITH", "INSERT", "UPDATE", "SELECT"]
        );
        let finished = store.give_up();
        assert!(finished.problems.is_empty(), "{:?}", finished.problems);
        assert!(!finished.unavailable);
        assert_eq!(finished.charge.map(|c| c.usage.output), Some(5));
    }

    #[test]
    fn only_the_steps_that_failed_are_tried_again() {
        let exchange = exchange(false);
        let outcome = answered(
            "Halb",
            Some(ProviderError::Incomplete {
                provider: ProviderKind::OpenAi,
            }),
        );
        let db = FakeDb::new();
        let mut store = exchange.store(&outcome, None);
        // The answer and its usage row together fail for good (a constraint on the row): the
        // answer is stored alone, then the connection drops before the usage row.
        db.push_error(DbError::query(Some("23514"), "check constraint"));
        let dropped = DbError::query(Some("57P01"), "terminating connection");
        store.attempt(&Outage::after(&db, 2, dropped));
        assert!(store.waiting().is_some());
        store.attempt(&db);
        assert!(store.waiting().is_none());
        assert_eq!(verbs(&db.statements()), ["WITH", "UPDATE", "INSERT"]);
        let calls = db.calls();
        assert_eq!(calls[1].1[3], Param::Text("partial".to_owned()));
        assert!(store.give_up().problems.is_empty());
    }

    #[test]
    fn lasting_failures_are_reported_once_and_not_retried() {
        let exchange = exchange(false);
        let outcome = answered("Antwort", None);
        let db = FakeDb::new();
        // The answer fails with its usage row and alone; the row is still recorded.
        db.push_error(DbError::query(Some("23514"), "check constraint"));
        db.push_error(DbError::query(Some("23514"), "check constraint"));
        let mut store = exchange.store(&outcome, None);
        store.attempt(&db);
        assert!(store.waiting().is_none());
        assert_eq!(verbs(&db.statements()), ["WITH", "UPDATE", "INSERT"]);
        let finished = store.give_up();
        assert_eq!(finished.problems.len(), 1, "{:?}", finished.problems);
        assert!(finished.problems[0].contains("could not store answer"));
        assert_eq!(finished.message, None);
        assert!(!finished.unavailable);

        let mut store = exchange.store(&outcome, None);
        store.unreachable(DbError::Other("variable db_url is missing".to_owned()));
        assert!(store.waiting().is_none());
        assert_eq!(store.give_up().problems.len(), 1);
    }

    #[test]
    fn giving_up_names_what_was_not_stored() {
        let exchange = exchange(true);
        let outcome = answered("Es ist 21 Uhr.", None);
        let mut store = exchange.store(&outcome, Some(draft()));
        store.attempt(&Outage::down(&FakeDb::new()));
        let finished = store.give_up();
        assert!(finished.unavailable);
        assert_eq!(finished.message, None);
        assert_eq!(finished.problems.len(), 1);
        let problem = &finished.problems[0];
        for step in ["the answer", "its usage", "the title's usage", "the title"] {
            assert!(problem.contains(step), "{problem}");
        }
        assert!(problem.contains("database unavailable"), "{problem}");
    }

    #[test]
    fn retries_back_off_within_the_budget() {
        let mut retry = StoreRetry::new(Duration::from_secs(5));
        let mut elapsed = Duration::ZERO;
        let mut pauses = Vec::new();
        while let Some(pause) = retry.pause(elapsed) {
            pauses.push(pause.as_millis());
            elapsed += pause;
        }
        assert_eq!(pauses, [250, 500, 1000, 2000, 1250]);
        assert_eq!(elapsed, Duration::from_secs(5));
        assert_eq!(StoreRetry::new(Duration::ZERO).pause(Duration::ZERO), None);
        // Time spent on the attempts themselves counts.
        let mut retry = StoreRetry::new(Duration::from_secs(1));
        assert_eq!(
            retry.pause(Duration::from_millis(900)),
            Some(Duration::from_millis(100))
        );
    }
}
