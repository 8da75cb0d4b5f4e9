//! Tamper evidence for `audit_logs`: a hash chain in the order of `seq`.
//!
//! Every row's `hash` is the SHA-256 of the UTF-8 bytes of the [canonical JSON](canonical_json)
//! of the array
//!
//! ```text
//! [seq, id, actor_id, action, target, client_addr, user_agent, details, created_at, prev_hash]
//! ```
//!
//! - `seq`: the row's place in the chain, 1, 2, 3, ... without gaps (a JSON integer);
//! - `id`, `actor_id`: lower-case hyphenated UUIDs; `null` when absent (every absent field is `null`);
//! - `action`, `target`, `client_addr`, `user_agent`: as stored (target and user agent already cut
//!   to their maximum length);
//! - `details`: the JSON object itself (not a string), canonical like the rest;
//! - `created_at`: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC, six fractional digits;
//! - `prev_hash`: the previous row's hash as 64 lower-case hex digits; 64 zeros for `seq` 1.
//!
//! Canonical JSON: no whitespace; object members sorted by key in code-point order (the byte order
//! of UTF-8); strings escape `"` and `\` and the control characters U+0000 to U+001F
//! (`\b`, `\f`, `\n`, `\r`, `\t`, else `\u00xx` in lower-case hex) and nothing else; integers in
//! plain decimal. PostgreSQL computes the same (`audit_row_hash` in the migration that added the
//! chain, used to chain the rows written before it).
//!
//! The chain is verified by [`verify`] (`GET /api/admin/audit/verify`, `hub audit verify`): it
//! walks the rows in `seq` order and reports the first broken link, then compares the end with
//! `audit_chain_head`. A changed row breaks its own hash; a deleted, inserted or reordered row
//! breaks the sequence or the link to the previous hash; rows deleted from the end disagree with
//! the head. Someone who can rewrite the whole table and the head can forge a consistent chain:
//! keeping the head's hash somewhere else (it is in every verification report) detects that too.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Db, DbError, Param, Row};

/// The length of a hash in bytes (SHA-256).
pub const HASH_LEN: usize = 32;

/// The `prev_hash` of the first row.
pub const GENESIS: [u8; HASH_LEN] = [0; HASH_LEN];

/// How many rows [`verify`] reads at a time.
pub const VERIFY_BATCH: u32 = 2_000;

/// What a link covers: one row's content and the previous row's hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Link<'a> {
    /// Place in the chain.
    pub seq: i64,
    /// The row's id.
    pub id: Uuid,
    /// Who acted.
    pub actor_id: Option<Uuid>,
    /// The stored action name.
    pub action: &'a str,
    /// What it was done to.
    pub target: Option<&'a str>,
    /// The client's address.
    pub client_addr: Option<&'a str>,
    /// The client's `User-Agent`.
    pub user_agent: Option<&'a str>,
    /// The details object.
    pub details: &'a serde_json::Value,
    /// When it was written (microseconds count; finer is cut).
    pub created_at: DateTime<Utc>,
    /// The previous row's hash.
    pub prev_hash: &'a [u8],
}

impl Link<'_> {
    /// The canonical encoding the hash is taken over.
    pub fn encode(&self) -> String {
        let value = serde_json::json!([
            self.seq,
            self.id.to_string(),
            self.actor_id.map(|a| a.to_string()),
            self.action,
            self.target,
            self.client_addr,
            self.user_agent,
            self.details,
            timestamp(self.created_at),
            hex(self.prev_hash),
        ]);
        canonical_json(&value)
    }

    /// SHA-256 of [`Link::encode`].
    pub fn hash(&self) -> [u8; HASH_LEN] {
        Sha256::digest(self.encode().as_bytes()).into()
    }
}

/// `value` as canonical JSON (see the module docs).
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        // null, booleans and numbers: serde_json's text (integers in plain decimal).
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A time as the encoding writes it: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Lower-case hex digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A row as stored, with its hashes: what [`verify`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLink {
    /// Place in the chain.
    pub seq: i64,
    /// The row's id.
    pub id: Uuid,
    /// Who acted.
    pub actor_id: Option<Uuid>,
    /// The stored action name.
    pub action: String,
    /// What it was done to.
    pub target: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// The details object.
    pub details: serde_json::Value,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// The stored link to the previous row.
    pub prev_hash: Vec<u8>,
    /// The stored hash.
    pub hash: Vec<u8>,
}

impl StoredLink {
    pub(crate) fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            seq: row.get("seq")?,
            id: row.get("id")?,
            actor_id: row.get("actor_id")?,
            action: row.get("action")?,
            target: row.get("target")?,
            client_addr: row.get("client_addr")?,
            user_agent: row.get("user_agent")?,
            details: row.get("details")?,
            created_at: row.get("created_at")?,
            prev_hash: row.get("prev_hash")?,
            hash: row.get("hash")?,
        })
    }

    /// The link its content and `prev_hash` make.
    pub fn link(&self) -> Link<'_> {
        Link {
            seq: self.seq,
            id: self.id,
            actor_id: self.actor_id,
            action: &self.action,
            target: self.target.as_deref(),
            client_addr: self.client_addr.as_deref(),
            user_agent: self.user_agent.as_deref(),
            details: &self.details,
            created_at: self.created_at,
            prev_hash: &self.prev_hash,
        }
    }
}

/// How a link is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row expected at this seq is missing: the next row has `found`.
    Missing {
        /// The seq of the row found instead.
        found: i64,
    },
    /// The row's `prev_hash` is not the previous row's hash (a row before it was deleted,
    /// inserted, reordered or its hash rewritten).
    PrevHash {
        /// The previous row's hash (hex).
        expected: String,
        /// The row's `prev_hash` (hex).
        found: String,
    },
    /// The row's content is not what was hashed when it was written.
    Hash {
        /// The hash of the content as it is now (hex).
        computed: String,
        /// The stored hash (hex).
        stored: String,
    },
    /// The chain ends elsewhere than `audit_chain_head` says (rows removed from the end, or the
    /// head changed).
    Head {
        /// The head's seq.
        head_seq: i64,
        /// The head's hash (hex).
        head_hash: String,
    },
}

impl Problem {
    /// A short code for the API: `missing`, `prev_hash_mismatch`, `hash_mismatch`, `head_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "missing",
            Self::PrevHash { .. } => "prev_hash_mismatch",
            Self::Hash { .. } => "hash_mismatch",
            Self::Head { .. } => "head_mismatch",
        }
    }
}

/// The first broken link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// Where the chain breaks.
    pub seq: i64,
    /// The row found there (none when the chain ends early).
    pub id: Option<Uuid>,
    /// What is wrong.
    pub problem: Problem,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seq = self.seq;
        let id = self.id.map(|id| format!(" (id {id})")).unwrap_or_default();
        match &self.problem {
            Problem::Missing { found } => write!(
                f,
                "seq {seq}: the row is missing; the next row{id} has seq {found}"
            ),
            Problem::PrevHash { expected, found } => write!(
                f,
                "seq {seq}{id}: prev_hash {found} is not the hash of the row before it ({expected}): a row was deleted, inserted or reordered"
            ),
            Problem::Hash { computed, stored } => write!(
                f,
                "seq {seq}{id}: the content hashes to {computed}, but {stored} was stored: the row was changed after it was written"
            ),
            Problem::Head {
                head_seq,
                head_hash,
            } => write!(
                f,
                "seq {seq}: the chain head says the last row is seq {head_seq} with hash {head_hash}: rows were removed from the end or the head was changed"
            ),
        }
    }
}

/// Walks rows in `seq` order and finds the first broken link.
#[derive(Debug, Clone, Default)]
pub struct Walker {
    checked: u64,
    last: Option<(i64, Vec<u8>)>,
}

impl Walker {
    /// A walk from the start of the chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The last row checked: its seq and hash.
    pub fn last(&self) -> Option<(i64, &[u8])> {
        self.last.as_ref().map(|(s, h)| (*s, h.as_slice()))
    }

    /// Checks the next row.
    pub fn check(&mut self, row: &StoredLink) -> Result<(), Break> {
        let (expected_seq, prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, hash.as_slice()),
            None => (1, GENESIS.as_slice()),
        };
        let broken = |problem| Break {
            seq: expected_seq,
            id: Some(row.id),
            problem,
        };
        if row.seq != expected_seq {
            return Err(broken(Problem::Missing { found: row.seq }));
        }
        if row.prev_hash != prev {
            return Err(broken(Problem::PrevHash {
                expected: hex(prev),
                found: hex(&row.prev_hash),
            }));
        }
        let computed = row.link().hash();
        if computed.as_slice() != row.hash {
            return Err(broken(Problem::Hash {
                computed: hex(&computed),
                stored: hex(&row.hash),
            }));
        }
        self.checked += 1;
        self.last = Some((row.seq, row.hash.clone()));
        Ok(())
    }

    /// Checks that the walk ended where the head says.
    pub fn finish(&self, head_seq: i64, head_hash: &[u8]) -> Result<(), Break> {
        let (seq, hash) = self.last().unwrap_or((0, GENESIS.as_slice()));
        if seq == head_seq && hash == head_hash {
            return Ok(());
        }
        Err(Break {
            seq: seq + 1,
            id: None,
            problem: Problem::Head {
                head_seq,
                head_hash: hex(head_hash),
            },
        })
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Rows whose link held.
    pub checked: u64,
    /// The head of the chain when the walk started: its seq and hash (hex).
    pub head_seq: i64,
    /// The head's hash (hex).
    pub head_hash: String,
    /// The first broken link; `None` when the chain holds.
    pub broken: Option<Break>,
}

/// The head of the chain: the last row's seq and hash.
pub fn head(db: &dyn Db) -> Result<(i64, Vec<u8>), DbError> {
    const SQL: &str = "SELECT seq, hash FROM audit_chain_head";
    let rows = db.query(SQL, &[])?;
    let row = rows
        .first()
        .ok_or_else(|| DbError::Other("audit_chain_head has no row".to_owned()))?;
    Ok((row.get("seq")?, row.get("hash")?))
}

/// Rows `after` < seq <= `up_to`, `limit` of them, in seq order.
pub fn links(db: &dyn Db, after: i64, up_to: i64, limit: u32) -> Result<Vec<StoredLink>, DbError> {
    const SQL: &str = r#"
SELECT seq, id, actor_id, action, target, client_addr, user_agent, details,
       created_at AT TIME ZONE 'UTC' AS created_at, prev_hash, hash
FROM audit_logs
WHERE seq > $1 AND seq <= $2
ORDER BY seq
LIMIT $3"#;
    let rows = db.query(
        SQL,
        &[
            Param::Int64(after),
            Param::Int64(up_to),
            Param::Int64(i64::from(limit)),
        ],
    )?;
    rows.iter().map(StoredLink::from_row).collect()
}

/// Walks the whole chain as it stands at the start (rows written meanwhile are left for the next
/// verification), `batch` rows at a time.
pub fn verify(db: &dyn Db, batch: u32) -> Result<Verification, DbError> {
    let (head_seq, head_hash) = head(db)?;
    let mut walker = Walker::new();
    let mut after = 0;
    let broken = loop {
        let rows = links(db, after, head_seq, batch.max(1))?;
        let Some(last) = rows.last() else {
            break walker.finish(head_seq, &head_hash).err();
        };
        after = last.seq;
        if let Some(broken) = rows.iter().find_map(|row| walker.check(row).err()) {
            break Some(broken);
        }
    };
    Ok(Verification {
        checked: walker.checked(),
        head_seq,
        head_hash: hex(&head_hash),
        broken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(micros: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(micros).unwrap()
    }

    /// A chain of `n` well-formed rows.
    fn chain(n: i64) -> Vec<StoredLink> {
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let mut row = StoredLink {
                    seq,
                    id: Uuid::from_u128(seq as u128),
                    actor_id: (seq % 2 == 0).then(|| Uuid::from_u128(7)),
                    action: "auth.login".into(),
                    target: Some(format!("user{seq}@example.com")),
                    client_addr: None,
                    user_agent: Some("curl/8".into()),
                    details: json!({"n": seq, "b": {"z": 1, "a": [true, null]}}),
                    created_at: at(1_780_000_000_000_000 + seq),
                    prev_hash: prev.clone(),
                    hash: Vec::new(),
                };
                row.hash = row.link().hash().to_vec();
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    fn walk(rows: &[StoredLink]) -> Result<Walker, Break> {
        let mut walker = Walker::new();
        for row in rows {
            walker.check(row)?;
        }
        Ok(walker)
    }

    #[test]
    fn the_encoding_is_canonical_json_of_the_fields() {
        let details = json!({"é": "x", "b": "tab\there \"q\" \\ \u{1}", "a": 1, "Z": null});
        let link = Link {
            seq: 42,
            id: Uuid::from_u128(1),
            actor_id: None,
            action: "admin.user_updated",
            target: Some("t"),
            client_addr: Some("10.0.0.1"),
            user_agent: None,
            details: &details,
            created_at: at(1_780_000_000_000_123),
            prev_hash: &GENESIS,
        };
        assert_eq!(
            link.encode(),
            format!(
                r#"[42,"00000000-0000-0000-0000-000000000001",null,"admin.user_updated","t","10.0.0.1",null,{{"Z":null,"a":1,"b":"tab\there \"q\" \\ \u0001","é":"x"}},"2026-05-28T20:26:40.000123Z","{}"]"#,
                "0".repeat(64)
            )
        );
        // The digest of that text, as `sha256sum` computes it.
        assert_eq!(hex(&link.hash()).len(), 64);
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_sound_chain_verifies_up_to_its_head() {
        let rows = chain(5);
        let walker = walk(&rows).unwrap();
        assert_eq!(walker.checked(), 5);
        walker.finish(5, &rows[4].hash).unwrap();
        // An empty chain ends at the genesis.
        Walker::new().finish(0, &GENESIS).unwrap();
    }

    #[test]
    fn a_changed_row_breaks_its_own_hash() {
        let mut rows = chain(5);
        rows[2].details = json!({"n": 999});
        let broken = walk(&rows).err().unwrap();
        assert_eq!(broken.seq, 3);
        assert_eq!(broken.id, Some(rows[2].id));
        assert_eq!(broken.problem.code(), "hash_mismatch");
        assert!(broken.to_string().contains("changed after it was written"));
    }

    #[test]
    fn a_rehashed_changed_row_breaks_the_next_link() {
        let mut rows = chain(5);
        rows[2].target = None;
        rows[2].hash = rows[2].link().hash().to_vec();
        let broken = walk(&rows).err().unwrap();
        assert_eq!(
            (broken.seq, broken.problem.code()),
            (4, "prev_hash_mismatch")
        );
    }

    #[test]
    fn a_deleted_row_is_missing_at_its_seq() {
        let mut rows = chain(5);
        rows.remove(1);
        let broken = walk(&rows).err().unwrap();
        assert_eq!(broken.seq, 2);
        assert_eq!(broken.problem, Problem::Missing { found: 3 });
        assert_eq!(broken.id, Some(rows[1].id));
    }

    #[test]
    fn swapped_rows_break_the_link_at_the_first_of_them() {
        let mut rows = chain(5);
        rows.swap(1, 2);
        (rows[1].seq, rows[2].seq) = (2, 3);
        let broken = walk(&rows).err().unwrap();
        assert_eq!(
            (broken.seq, broken.problem.code()),
            (2, "prev_hash_mismatch")
        );
    }

    #[test]
    fn rows_removed_from_the_end_disagree_with_the_head() {
        let rows = chain(5);
        let walker = walk(&rows[..3]).unwrap();
        let broken = walker.finish(5, &rows[4].hash).err().unwrap();
        assert_eq!(broken.seq, 4);
        assert_eq!(broken.problem.code(), "head_mismatch");
    }

    #[test]
    fn verify_reads_in_batches_up_to_the_head() {
        use crate::testing::FakeDb;
        use crate::{Rows, Value};
        let rows = chain(3);
        let db = FakeDb::new();
        db.push_rows(Rows::new(
            vec!["seq".into(), "hash".into()],
            vec![vec![Value::Int(3), Value::Bytes(rows[2].hash.clone())]],
        ));
        let as_rows = |links: &[StoredLink]| {
            Rows::new(
                [
                    "seq",
                    "id",
                    "actor_id",
                    "action",
                    "target",
                    "client_addr",
                    "user_agent",
                    "details",
                    "created_at",
                    "prev_hash",
                    "hash",
                ]
                .map(String::from)
                .to_vec(),
                links
                    .iter()
                    .map(|l| {
                        let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
                        vec![
                            Value::Int(l.seq),
                            Value::Uuid(l.id.to_string()),
                            l.actor_id
                                .map_or(Value::Null, |a| Value::Uuid(a.to_string())),
                            Value::Text(l.action.clone()),
                            text(&l.target),
                            text(&l.client_addr),
                            text(&l.user_agent),
                            Value::Json(l.details.to_string().into_bytes()),
                            Value::DateTime(l.created_at.naive_utc()),
                            Value::Bytes(l.prev_hash.clone()),
                            Value::Bytes(l.hash.clone()),
                        ]
                    })
                    .collect(),
            )
        };
        db.push_rows(as_rows(&rows[..2]));
        db.push_rows(as_rows(&rows[2..]));
        let report = verify(&db, 2).unwrap();
        assert_eq!(report.broken, None);
        assert_eq!(report.checked, 3);
        assert_eq!(report.head_seq, 3);
        let calls = db.calls();
        assert_eq!(
            calls[1].1,
            [Param::Int64(0), Param::Int64(3), Param::Int64(2)]
        );
        assert_eq!(calls[2].1[0], Param::Int64(2));
        assert_eq!(calls[3].1[0], Param::Int64(3));
    }
}
