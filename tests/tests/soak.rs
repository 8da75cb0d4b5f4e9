//! Soak: many concurrent streamed answers for a long time through `POST /api/chats/{id}/messages`
//! (the real runner, the `chat` component, PostgreSQL), every provider pointed at the fake
//! providers, each request given its provider's behaviour by a seeded draw with fixed
//! probabilities: a normal answer, one without usage, a provider error (429, 500, 503), a stream
//! broken mid-way, a slow answer; across several provider kinds and models, users and chats
//! (first exchanges of untitled chats get titles). At the end every stream is accounted for, as
//! the client saw it and as the database stored it, and the runner's resident memory is sampled
//! throughout. A benchmark, not a test: ignored by `cargo test`; `scripts/soak.sh` runs it, and
//! `hub-bench report soak` turns what it records into the "Soak" section of
//! `docs/benchmarks.md` and judges the memory series.
//!
//! Environment: `SOAK_MINUTES` (how long streams are started, default 30, fractions allowed),
//! `SOAK_CONCURRENCY` (streams in flight, default 200), `SOAK_USERS` (default 40),
//! `SOAK_CHUNK_DELAY_MS` (the fake providers' delay between the events of an answer, default
//! 200), `SOAK_SLOW_MS` (the delay of a slow answer, default 1000), `SOAK_SEED` (default 1),
//! `SOAK_SAMPLE_SECS` (default 10), `SOAK_OUT` (the JSON written, default
//! `target/hub-tests/soak.json`), `SOAK_BENCH` (the `hub-bench` binary: without it no memory
//! is sampled) and `SOAK_DB_PID` (PostgreSQL's postmaster, for its CPU).

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use hub_providers::ProviderKind;
use hub_tests::bench::{env_number, server_snapshot, write_results};
use hub_tests::{Hub, Scenario, Stream};
use serde_json::{Value, json};

/// The models chats use: several provider kinds, two models where the kind has them (the fake
/// answers every model of a kind with the kind's recorded stream).
const MODELS: [(ProviderKind, &str); 8] = [
    (ProviderKind::OpenAi, "gpt-4o-mini"),
    (ProviderKind::OpenAi, "gpt-5-mini"),
    (ProviderKind::Anthropic, "claude-sonnet-4-5"),
    (ProviderKind::Anthropic, "claude-haiku-4-5"),
    (ProviderKind::Gemini, "gemini-2.5-flash"),
    (ProviderKind::Gemini, "gemini-2.5-pro"),
    (ProviderKind::Mistral, "mistral-small-latest"),
    (ProviderKind::XAi, "grok-3-mini"),
];

/// What the provider does with one request, and how often (thousandths; they sum to 1000).
const MIX: [(Inject, u64); 7] = [
    (Inject::Normal, 620),
    (Inject::NoUsage, 50),
    (Inject::Error(429), 50),
    (Inject::Error(500), 50),
    (Inject::Error(503), 50),
    (Inject::Disconnect, 100),
    (Inject::Slow, 80),
];

/// Thousandths of new chats created with a title (their first exchange requests none).
const TITLED_CHATS: u64 = 200;
/// A chat takes 1 to this many messages before its worker starts another.
const MAX_CHAT_LENGTH: u64 = 8;
/// Thousandths of later messages that switch the chat to another model.
const MODEL_SWITCH: u64 = 100;
/// Thousandths of finished chats read back (`GET /api/chats/{id}`) and compared.
const READ_BACK: u64 = 250;
/// Every user's tokens are refreshed this often (access tokens live 30 minutes).
const REFRESH_EVERY: Duration = Duration::from_secs(600);
/// After the last stream, how long stored answers may take to leave `partial` without error.
const SETTLE_LIMIT: Duration = Duration::from_secs(30);
/// Mismatched streams described in the report.
const EXAMPLES: usize = 20;

/// The provider's behaviour for one request ([`Scenario`] through the message's marker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inject {
    Normal,
    NoUsage,
    Error(u16),
    /// The stream is cut after some events (drawn per request, up to half of them).
    Disconnect,
    Slow,
}

impl Inject {
    fn name(self) -> String {
        match self {
            Self::Normal => "normal".to_owned(),
            Self::NoUsage => "no_usage".to_owned(),
            Self::Error(status) => format!("error_{status}"),
            Self::Disconnect => "disconnect".to_owned(),
            Self::Slow => "slow".to_owned(),
        }
    }

    fn pick(rng: &mut Rng) -> Self {
        let mut draw = rng.below(1000);
        for (inject, weight) in MIX {
            if draw < weight {
                return inject;
            }
            draw -= weight;
        }
        Self::Normal
    }

    /// Whether the answer completes (`done`, stored `complete` with usage).
    fn completes(self) -> bool {
        matches!(self, Self::Normal | Self::NoUsage | Self::Slow)
    }

    /// The `error` event's code when the answer fails.
    fn error_code(self) -> Option<&'static str> {
        match self {
            Self::Error(429) => Some("provider_rate_limited"),
            Self::Error(_) => Some("provider_unavailable"),
            Self::Disconnect => Some("provider_incomplete"),
            _ => None,
        }
    }
}

/// A small seeded generator (SplitMix64): the same seed gives every worker the same draws.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, worker: u64) -> Self {
        Self(seed ^ worker.wrapping_mul(0xA076_1D64_78BD_642F))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn model(&mut self) -> (ProviderKind, &'static str) {
        MODELS[self.below(MODELS.len() as u64) as usize]
    }
}

struct Config {
    minutes: f64,
    concurrency: usize,
    users: usize,
    chunk_delay: Duration,
    slow: Duration,
    seed: u64,
    sample_every: Duration,
    bench: Option<OsString>,
    db_pid: Option<String>,
}

impl Config {
    fn from_env() -> Self {
        let ms = |name: &str, default: usize| {
            Duration::from_millis(u64::try_from(env_number(name, default)).unwrap_or(0))
        };
        Self {
            minutes: std::env::var("SOAK_MINUTES")
                .ok()
                .and_then(|m| m.parse::<f64>().ok())
                .filter(|m| m.is_finite() && *m > 0.0)
                .unwrap_or(30.0),
            concurrency: env_number("SOAK_CONCURRENCY", 200).max(1),
            users: env_number("SOAK_USERS", 40).max(1),
            chunk_delay: ms("SOAK_CHUNK_DELAY_MS", 200),
            slow: ms("SOAK_SLOW_MS", 1000),
            seed: env_number("SOAK_SEED", 1) as u64,
            sample_every: Duration::from_secs(env_number("SOAK_SAMPLE_SECS", 10).max(1) as u64),
            bench: std::env::var_os("SOAK_BENCH"),
            db_pid: std::env::var("SOAK_DB_PID").ok(),
        }
    }

    fn json(&self) -> Value {
        json!({
            "minutes": self.minutes,
            "concurrency": self.concurrency,
            "users": self.users,
            "chunk_delay_ms": self.chunk_delay.as_millis(),
            "slow_ms": self.slow.as_millis(),
            "seed": self.seed,
            "sample_secs": self.sample_every.as_secs(),
            "titled_chats_per_mille": TITLED_CHATS,
            "max_chat_length": MAX_CHAT_LENGTH,
            "model_switch_per_mille": MODEL_SWITCH,
            "read_back_per_mille": READ_BACK,
            "refresh_every_s": REFRESH_EVERY.as_secs(),
            "mix": MIX.iter().map(|(i, w)| json!({ "scenario": i.name(), "per_mille": w })).collect::<Vec<_>>(),
            "models": MODELS.iter().map(|(k, m)| format!("{} {m}", k.as_str())).collect::<Vec<_>>(),
        })
    }
}

/// A user's tokens: (access, refresh).
struct User {
    tokens: Mutex<(String, String)>,
}

impl User {
    fn access(&self) -> String {
        self.tokens.lock().unwrap().0.clone()
    }
}

/// What the workers, the sampler and the refresher share.
struct Soak {
    hub: Hub,
    config: Config,
    users: Vec<User>,
    /// Each kind's recorded answer, and how many events its stream has.
    texts: HashMap<ProviderKind, String>,
    events: HashMap<ProviderKind, u64>,
    started: Instant,
    deadline: Instant,
    begun: AtomicUsize,
    ended: AtomicUsize,
    /// The other requests (chats created and read, refreshes) by `"<request> <status>"`
    /// (status 0: no answer).
    others: Mutex<BTreeMap<String, u64>>,
    /// Chats read back whose messages did not match the streams sent to them.
    read_problems: Mutex<Vec<String>>,
}

impl Soak {
    fn other(&self, request: &str, status: u16) {
        *self
            .others
            .lock()
            .unwrap()
            .entry(format!("{request} {status}"))
            .or_default() += 1;
    }
}

/// One stream as the client saw it.
struct Record {
    inject: Inject,
    kind: ProviderKind,
    chat: String,
    /// The chat had no title and no stored question: a complete answer titles it.
    titles_chat: bool,
    /// Since the start of the run.
    start: Duration,
    /// 0 when no answer came (a transport failure).
    status: u16,
    last: Option<String>,
    error_code: Option<String>,
    done_status: Option<String>,
    text: String,
    answer_id: Option<String>,
    usage_event: bool,
    title: Option<String>,
    head: Option<Duration>,
    ttft: Option<Duration>,
    end: Option<Duration>,
}

impl Record {
    fn outcome(&self) -> &'static str {
        match (self.status, self.last.as_deref()) {
            (0, _) => "transport",
            (500..=599, _) => "status_5xx",
            (400..=499, _) => "status_4xx",
            (200, Some("done")) => "done",
            (200, Some("error")) => "error_event",
            _ => "broken",
        }
    }

    fn observe(&mut self, stream: &Stream) {
        self.status = stream.status;
        self.last = stream.events.last().map(|e| e.name.clone());
        self.text = stream.text();
        self.end = stream.events.last().map(|e| e.at);
        let text = |v: &Value| v.as_str().map(str::to_owned);
        for event in &stream.events {
            match event.name.as_str() {
                "message_start" => {
                    self.head = Some(event.at);
                    self.answer_id = text(&event.data["assistant_message_id"]);
                }
                "delta" => {
                    self.ttft.get_or_insert(event.at);
                }
                "usage" => self.usage_event = true,
                "title" => self.title = text(&event.data["title"]),
                "done" => self.done_status = text(&event.data["message"]["status"]),
                "error" => self.error_code = text(&event.data["code"]),
                _ => {}
            }
        }
    }

    fn json(&self) -> Value {
        let micros = |d: Option<Duration>| d.map(|d| d.as_micros() as u64);
        json!({
            "scenario": self.inject.name(),
            "kind": self.kind.as_str(),
            "outcome": self.outcome(),
            "start_ms": self.start.as_millis() as u64,
            "head_us": micros(self.head),
            "ttft_us": micros(self.ttft),
            "end_us": micros(self.end),
        })
    }
}

/// A worker's current chat.
struct Chat {
    id: String,
    kind: ProviderKind,
    titled: bool,
    /// Messages sent to it, and those stored (answered 200).
    sent: usize,
    questions: usize,
    length: usize,
    /// A request to it got no answer: what it stores is unknown.
    uncertain: bool,
}

async fn new_chat(soak: &Soak, user: &User, rng: &mut Rng, name: &str) -> Option<Chat> {
    let (kind, model) = rng.model();
    let titled = rng.chance(TITLED_CHATS);
    let mut body = json!({ "model": model });
    if titled {
        body["title"] = json!(name);
    }
    let answer = AssertUnwindSafe(soak.hub.post("/api/chats", &user.access(), body))
        .catch_unwind()
        .await;
    let (status, id) = match answer {
        Ok(a) => (a.status, a.body["id"].as_str().map(str::to_owned)),
        Err(_) => (0, None),
    };
    soak.other("POST /api/chats", status);
    Some(Chat {
        id: id.filter(|_| status == 201)?,
        kind,
        titled,
        sent: 0,
        questions: 0,
        length: 1 + rng.below(MAX_CHAT_LENGTH) as usize,
        uncertain: false,
    })
}

/// Reads a finished chat back: every stored question and answer must be there.
async fn read_back(soak: &Soak, user: &User, chat: &Chat) {
    let answer = AssertUnwindSafe(
        soak.hub
            .get(&format!("/api/chats/{}", chat.id), &user.access()),
    )
    .catch_unwind()
    .await;
    let Ok(answer) = answer else {
        return soak.other("GET /api/chats/{id}", 0);
    };
    soak.other("GET /api/chats/{id}", answer.status);
    let messages = answer.body["messages"].as_array().map_or(0, Vec::len);
    if answer.status == 200 && !chat.uncertain && messages != 2 * chat.questions {
        soak.read_problems.lock().unwrap().push(format!(
            "chat {}: {messages} messages for {} stored questions",
            chat.id, chat.questions
        ));
    }
}

/// One worker: streams one after the other until the deadline, in chats of its user.
async fn worker(soak: Arc<Soak>, index: usize) -> Vec<Record> {
    let mut rng = Rng::new(soak.config.seed, index as u64);
    let user = &soak.users[index % soak.users.len()];
    let mut records = Vec::new();
    let mut chat: Option<Chat> = None;
    let mut chats = 0;
    while Instant::now() < soak.deadline {
        let mut current = match chat.take() {
            Some(c) if c.sent < c.length => c,
            finished => {
                if let Some(done) = finished
                    && rng.chance(READ_BACK)
                {
                    read_back(&soak, user, &done).await;
                }
                chats += 1;
                let name = format!("Soak chat {chats} of worker {index}");
                match new_chat(&soak, user, &mut rng, &name).await {
                    Some(c) => c,
                    None => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                }
            }
        };
        let mut body = json!({});
        if current.sent > 0 && rng.chance(MODEL_SWITCH) {
            let (kind, model) = rng.model();
            body["model"] = json!(model);
            current.kind = kind;
        }
        let inject = Inject::pick(&mut rng);
        let scenario = match inject {
            Inject::Normal => Scenario::Normal,
            Inject::NoUsage => Scenario::NoUsage,
            Inject::Error(status) => Scenario::Error(status),
            Inject::Disconnect => Scenario::Disconnect {
                after: 1 + rng.below((soak.events[&current.kind] / 2).max(1)) as usize,
            },
            Inject::Slow => Scenario::Slow(soak.config.slow),
        };
        body["content"] = json!(format!(
            "Question {} of chat {chats}, worker {index}: what is the capital of France? {}",
            current.sent + 1,
            scenario.marker()
        ));
        let sent = Instant::now();
        let mut record = Record {
            inject,
            kind: current.kind,
            chat: current.id.clone(),
            titles_chat: !current.titled && current.questions == 0,
            start: sent - soak.started,
            status: 0,
            last: None,
            error_code: None,
            done_status: None,
            text: String::new(),
            answer_id: None,
            usage_event: false,
            title: None,
            head: None,
            ttft: None,
            end: None,
        };
        soak.begun.fetch_add(1, Ordering::Relaxed);
        let stream = AssertUnwindSafe(soak.hub.stream(&current.id, &user.access(), body))
            .catch_unwind()
            .await;
        soak.ended.fetch_add(1, Ordering::Relaxed);
        match stream {
            Ok(stream) => record.observe(&stream),
            Err(_) => current.uncertain = true,
        }
        current.sent += 1;
        if record.status == 200 {
            current.questions += 1;
        }
        current.titled |= record.title.is_some();
        records.push(record);
        chat = Some(current);
    }
    records
}

/// Refreshes every user's tokens every [`REFRESH_EVERY`] until `stop`.
async fn refresher(soak: Arc<Soak>, stop: Arc<AtomicBool>) {
    let mut last = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if last.elapsed() < REFRESH_EVERY {
            continue;
        }
        last = Instant::now();
        for user in &soak.users {
            let refresh = user.tokens.lock().unwrap().1.clone();
            let answer = AssertUnwindSafe(soak.hub.refresh(&refresh))
                .catch_unwind()
                .await;
            let status = answer.as_ref().map_or(0, |a| a.status);
            soak.other("POST /api/auth/refresh", status);
            if let Ok(a) = answer
                && a.status == 200
            {
                *user.tokens.lock().unwrap() = (a.token("access_token"), a.token("refresh_token"));
            }
        }
    }
}

/// The runner's counters (memory, descriptors, CPU) every `sample_every` until `stop`, and
/// once more after it.
async fn sampler(soak: Arc<Soak>, stop: Arc<AtomicBool>) -> Vec<Value> {
    let mut samples = Vec::new();
    let mut next = soak.started;
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        let t_s = soak.started.elapsed().as_secs_f64();
        let snapshot = match &soak.config.bench {
            Some(bench) => {
                let (bench, db) = (bench.clone(), soak.config.db_pid.clone());
                tokio::task::spawn_blocking(move || server_snapshot(&bench, db.as_deref()))
                    .await
                    .expect("a snapshot")
            }
            None => Value::Null,
        };
        samples.push(json!({
            "t_s": t_s,
            "begun": soak.begun.load(Ordering::Relaxed),
            "ended": soak.ended.load(Ordering::Relaxed),
            "snapshot": snapshot,
        }));
        if stopping {
            return samples;
        }
        next += soak.config.sample_every;
        while Instant::now() < next && !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// An answer as stored.
struct StoredAnswer {
    status: String,
    content: String,
    error: Option<String>,
    usage_rows: i64,
    estimated: Option<bool>,
}

/// What the database holds after the run.
struct Stored {
    answers: HashMap<String, StoredAnswer>,
    questions: i64,
    /// Answers `partial` without an error: still pending (empty) or cut off unmarked.
    pending: i64,
    pending_empty: i64,
    /// Chat id → title.
    chats: HashMap<String, Option<String>>,
    title_usage_rows: i64,
    /// How long the pending answers took to settle after the last stream.
    settle: Duration,
}

async fn stored(hub: &Hub) -> Stored {
    let db = hub.db.client().await;
    let count = async |sql: &str| -> i64 { db.query_one(sql, &[]).await.unwrap().get(0) };
    let pending_sql = "SELECT count(*) FROM chat_messages \
                       WHERE role = 'assistant' AND status = 'partial' AND error IS NULL";
    let waited = Instant::now();
    while count(pending_sql).await > 0 && waited.elapsed() < SETTLE_LIMIT {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let settle = waited.elapsed();
    let answers = db
        .query(
            "SELECT m.id::text, m.status, m.content, m.error, count(u.id), bool_or(u.estimated) \
             FROM chat_messages m LEFT JOIN chat_token_usage u ON u.message_id = m.id \
             WHERE m.role = 'assistant' GROUP BY m.id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let answer = StoredAnswer {
                status: r.get(1),
                content: r.get(2),
                error: r.get(3),
                usage_rows: r.get(4),
                estimated: r.get(5),
            };
            (r.get::<_, String>(0), answer)
        })
        .collect();
    let chats = db
        .query("SELECT id::text, title FROM chats", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Stored {
        answers,
        questions: count("SELECT count(*) FROM chat_messages WHERE role = 'user'").await,
        pending: count(pending_sql).await,
        pending_empty: count(&format!("{pending_sql} AND content = ''")).await,
        chats,
        title_usage_rows: count("SELECT count(*) FROM chat_token_usage WHERE message_id IS NULL")
            .await,
        settle,
    }
}

/// What is wrong with one stream, given its scenario, what the client saw and what is stored
/// (empty when it is as its scenario implies).
fn mismatches(r: &Record, stored: &Stored, expected_text: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut check = |ok: bool, what: &str| {
        if !ok {
            wrong.push(what.to_owned());
        }
    };
    check(r.status == 200, "HTTP status not 200");
    let Some(s) = r.answer_id.as_ref().and_then(|id| stored.answers.get(id)) else {
        check(false, "no stored answer");
        return wrong;
    };
    let last = r.last.as_deref();
    check(
        s.usage_rows == i64::from(r.usage_event),
        "usage rows differ from the usage event",
    );
    if r.inject.completes() {
        check(last == Some("done"), "did not end with done");
        check(
            r.done_status.as_deref() == Some("complete"),
            "done not complete",
        );
        check(r.text == expected_text, "streamed text differs");
        check(s.status == "complete", "not stored complete");
        check(s.content == expected_text, "stored text differs");
        check(s.error.is_none(), "stored with an error");
        check(s.usage_rows == 1, "no usage row");
        let estimated = r.inject == Inject::NoUsage;
        check(s.estimated == Some(estimated), "usage estimated wrongly");
    } else {
        check(last == Some("error"), "did not end with an error event");
        check(
            r.error_code.as_deref() == r.inject.error_code(),
            "unexpected error code",
        );
        check(
            s.error.as_deref().is_some_and(|e| !e.is_empty()),
            "stored without an error",
        );
        if r.text.is_empty() {
            check(s.status == "error", "not stored error");
            check(s.content.is_empty(), "stored text without streamed text");
        } else {
            check(s.status == "partial", "not stored partial");
            check(
                s.content == r.text,
                "stored text differs from the streamed text",
            );
            check(s.usage_rows == 1, "text generated without a usage row");
        }
        if matches!(r.inject, Inject::Error(_)) {
            check(r.text.is_empty(), "text streamed before a provider error");
            check(s.usage_rows == 0, "usage row for a refused request");
        }
    }
    check(
        r.title.is_some() == (r.titles_chat && r.inject.completes()),
        "title event not as expected",
    );
    if let Some(title) = &r.title {
        check(
            stored.chats.get(&r.chat) == Some(&Some(title.clone())),
            "stored title differs",
        );
    }
    wrong
}

/// Per scenario: what the client saw, what is stored, and how many streams were not as their
/// scenario implies.
#[derive(Default)]
struct Counts {
    by_outcome: BTreeMap<&'static str, u64>,
    by_status: BTreeMap<String, u64>,
    usage_rows: i64,
    titles: u64,
    mismatched: u64,
}

/// The checks (name, passed, detail), the counts by scenario, and examples of mismatches.
fn account(
    records: &[Record],
    stored: &Stored,
    soak: &Soak,
) -> (Vec<(String, bool, String)>, Value, Vec<String>) {
    let mut by_scenario: BTreeMap<String, Counts> = BTreeMap::new();
    let mut examples = Vec::new();
    let mut mismatched = 0;
    for r in records {
        let c = by_scenario.entry(r.inject.name()).or_default();
        *c.by_outcome.entry(r.outcome()).or_default() += 1;
        let s = r.answer_id.as_ref().and_then(|id| stored.answers.get(id));
        let status = s.map_or("not stored", |s| s.status.as_str());
        *c.by_status.entry(status.to_owned()).or_default() += 1;
        c.usage_rows += s.map_or(0, |s| s.usage_rows);
        c.titles += u64::from(r.title.is_some());
        let wrong = mismatches(r, stored, &soak.texts[&r.kind]);
        if !wrong.is_empty() {
            c.mismatched += 1;
            mismatched += 1;
            if examples.len() < EXAMPLES {
                examples.push(format!(
                    "{} via {} ({}, answer {}): {}",
                    r.inject.name(),
                    r.kind.as_str(),
                    r.outcome(),
                    r.answer_id.as_deref().unwrap_or("none"),
                    wrong.join("; ")
                ));
            }
        }
    }
    let outcome =
        |name: &str| -> u64 { records.iter().filter(|r| r.outcome() == name).count() as u64 };
    let sent = records.len() as u64;
    let ended = outcome("done") + outcome("error_event");
    let client_ids: HashSet<&str> = records
        .iter()
        .filter_map(|r| r.answer_id.as_deref())
        .collect();
    let unknown = stored
        .answers
        .keys()
        .filter(|id| !client_ids.contains(id.as_str()))
        .count();
    let others = soak.others.lock().unwrap().clone();
    let other_5xx: u64 = others
        .iter()
        .filter(|(k, _)| {
            k.ends_with(" 0") || k.split(' ').next_back().is_some_and(|s| s.starts_with('5'))
        })
        .map(|(_, v)| v)
        .sum();
    let other_failed: u64 = others
        .iter()
        .filter(|(k, _)| !k.ends_with(" 200") && !k.ends_with(" 201"))
        .map(|(_, v)| v)
        .sum();
    let titles = records.iter().filter(|r| r.title.is_some()).count() as i64;
    let titles_with_usage = records
        .iter()
        .filter(|r| r.title.is_some() && r.inject != Inject::NoUsage)
        .count() as i64;
    let titled_by_exchange = stored
        .chats
        .values()
        .filter(|t| t.as_deref().is_some_and(|t| !t.starts_with("Soak chat ")))
        .count() as i64;
    let usage_events = records.iter().filter(|r| r.usage_event).count() as i64;
    let answer_usage_rows: i64 = stored.answers.values().map(|a| a.usage_rows).sum();
    let read_problems = soak.read_problems.lock().unwrap().clone();
    let check = |name: &str, ok: bool, detail: String| (name.to_owned(), ok, detail);
    let checks = vec![
        check(
            "every stream ended with `done` or an `error` event",
            ended == sent,
            format!(
                "{ended} of {sent} (4xx {}, 5xx {}, no answer {}, cut without a last event {})",
                outcome("status_4xx"),
                outcome("status_5xx"),
                outcome("transport"),
                outcome("broken")
            ),
        ),
        check(
            "no 5xx and no unanswered request, streams or others",
            outcome("status_5xx") + outcome("transport") + other_5xx == 0,
            format!(
                "streams: {} 5xx, {} unanswered; other requests: {other_5xx}",
                outcome("status_5xx"),
                outcome("transport")
            ),
        ),
        check(
            "questions stored = streams sent",
            stored.questions == sent as i64,
            format!("{} stored, {sent} sent", stored.questions),
        ),
        check(
            "answers stored = streams sent, the same ids",
            stored.answers.len() as u64 == sent && unknown == 0 && client_ids.len() as u64 == sent,
            format!(
                "{} stored, {} ids seen by the client, {unknown} stored ids the client never saw",
                stored.answers.len(),
                client_ids.len()
            ),
        ),
        check(
            "every answer stored as its scenario implies",
            mismatched == 0,
            format!("{mismatched} streams differ"),
        ),
        check(
            "no answer left pending (`partial` without an error)",
            stored.pending == 0,
            format!(
                "{} ({} of them empty), after waiting {:.1} s",
                stored.pending,
                stored.pending_empty,
                stored.settle.as_secs_f64()
            ),
        ),
        check(
            "a usage row for every answer that reported usage or generated text",
            answer_usage_rows == usage_events,
            format!("{answer_usage_rows} rows, {usage_events} usage events"),
        ),
        check(
            "titles: stored for every title event, usage rows for those the provider counted",
            titled_by_exchange == titles && stored.title_usage_rows == titles_with_usage,
            format!(
                "{titles} title events, {titled_by_exchange} chats titled by their first exchange, \
                 {} title usage rows for {titles_with_usage} titles with reported usage",
                stored.title_usage_rows
            ),
        ),
        check(
            "chats read back hold every stored question and answer",
            read_problems.is_empty(),
            read_problems
                .first()
                .cloned()
                .unwrap_or_else(|| "all as sent".to_owned()),
        ),
        check(
            "other requests (chats, reads, refreshes) succeeded",
            other_failed == 0,
            format!("{others:?}"),
        ),
    ];
    let by_scenario = by_scenario
        .into_iter()
        .map(|(name, c)| {
            json!({
                "scenario": name,
                "outcomes": c.by_outcome,
                "stored": c.by_status,
                "usage_rows": c.usage_rows,
                "titles": c.titles,
                "mismatched": c.mismatched,
            })
        })
        .collect();
    (checks, by_scenario, examples)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a soak benchmark: run by scripts/soak.sh"]
async fn soak() {
    let config = Config::from_env();
    let hub = Hub::spawn(|o| o).await;
    hub.providers.set_chunk_delay(config.chunk_delay);
    let mut users = Vec::new();
    for i in 0..config.users {
        let answer = hub.new_user(&format!("soak{i}@example.com")).await;
        let tokens = (answer.token("access_token"), answer.token("refresh_token"));
        users.push(User {
            tokens: Mutex::new(tokens),
        });
    }
    let mut texts = HashMap::new();
    let mut events = HashMap::new();
    for (kind, _) in MODELS {
        let text = hub.providers.manifest(kind)["streams"][0]["text"]
            .as_str()
            .expect("the recorded answer")
            .to_owned();
        texts.insert(kind, text);
        let sse = std::fs::read_to_string(hub.providers.fixture_dir(kind).join("stream.sse"))
            .expect("the recorded stream");
        let count = sse.lines().filter(|l| l.starts_with("data:")).count() as u64;
        events.insert(kind, count);
    }
    let started = Instant::now();
    let soak = Arc::new(Soak {
        deadline: started + Duration::from_secs_f64(config.minutes * 60.0),
        hub,
        config,
        users,
        texts,
        events,
        started,
        begun: AtomicUsize::new(0),
        ended: AtomicUsize::new(0),
        others: Mutex::new(BTreeMap::new()),
        read_problems: Mutex::new(Vec::new()),
    });
    eprintln!(
        "soak: {} streams at a time for {} min",
        soak.config.concurrency, soak.config.minutes
    );
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn(sampler(soak.clone(), stop.clone()));
    let refresher = tokio::spawn(refresher(soak.clone(), stop.clone()));
    let workers: Vec<_> = (0..soak.config.concurrency)
        .map(|i| tokio::spawn(worker(soak.clone(), i)))
        .collect();
    let mut records = Vec::new();
    for w in workers {
        records.extend(w.await.expect("a worker"));
    }
    let elapsed = soak.started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let samples = sampler.await.expect("the sampler");
    refresher.await.expect("the refresher");
    eprintln!(
        "soak: {} streams in {:.0} s; checking the database",
        records.len(),
        elapsed.as_secs_f64()
    );

    let stored = stored(&soak.hub).await;
    let (checks, by_scenario, examples) = account(&records, &stored, &soak);
    let log = soak.hub.app.log();
    // The runner's own lines (`WARN`, `ERROR`) and the components' (`warn chat: ...`).
    let lines = |runner: &str, component: &str| {
        log.lines()
            .filter(|l| l.contains(runner) || l.starts_with(component))
            .count()
    };
    // The most frequent warning and error lines, digits masked.
    let mut frequent: HashMap<String, u64> = HashMap::new();
    for line in log.lines().filter(|l| {
        [" WARN ", " ERROR "].iter().any(|n| l.contains(n))
            || l.starts_with("warn ")
            || l.starts_with("error ")
    }) {
        let text = line.trim_start_matches(|c: char| c.is_ascii_digit() || "-:.TZ".contains(c));
        let masked: String = text
            .trim()
            .chars()
            .take(160)
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        *frequent.entry(masked).or_default() += 1;
    }
    let mut frequent: Vec<(String, u64)> = frequent.into_iter().collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    frequent.truncate(5);
    let report = json!({
        "config": soak.config.json(),
        "elapsed_s": elapsed.as_secs_f64(),
        "streams": records.iter().map(Record::json).collect::<Vec<_>>(),
        "others": *soak.others.lock().unwrap(),
        "stored": {
            "questions": stored.questions,
            "answers": stored.answers.len(),
            "pending": stored.pending,
            "chats": stored.chats.len(),
            "title_usage_rows": stored.title_usage_rows,
            "settle_s": stored.settle.as_secs_f64(),
        },
        "by_scenario": by_scenario,
        "checks": checks.iter().map(|(name, ok, detail)| json!({ "name": name, "ok": ok, "detail": detail })).collect::<Vec<_>>(),
        "examples": examples,
        "samples": samples,
        "runner_log": {
            "lines": log.lines().count(),
            "warn": lines(" WARN ", "warn "),
            "error": lines(" ERROR ", "error "),
            "frequent": frequent,
        },
    });
    let out = write_results("SOAK_OUT", "soak.json", &report);
    eprintln!("soak: results in {}", out.display());
    for example in &examples {
        eprintln!("soak: mismatch: {example}");
    }
    let failed: Vec<String> = checks
        .iter()
        .filter(|(_, ok, _)| !ok)
        .map(|(name, _, detail)| format!("{name}: {detail}"))
        .collect();
    assert!(
        failed.is_empty(),
        "soak checks failed:\n{}",
        failed.join("\n")
    );
}
