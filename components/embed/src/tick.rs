//! `POST /api/knowledge/tick`: the background step that embeds knowledge files.
//!
//! One call claims one due file at a time ([`knowledge::claim_embedding`]: `FOR UPDATE SKIP
//! LOCKED` and a lease), embeds its chunks a page at a time with the active model, stores the
//! vectors and the usage (the uploader's), and marks it embedded; a failure is recorded on the
//! file with a back-off, and after five the file is given up (keyword search still finds it).
//! The call stops claiming after [`BUDGET`]; what is left is `more` for the next call. A call
//! that dies mid-file leaves the file claimed until its lease runs out, then the next call
//! takes it again: nothing is lost.

use std::time::{Duration, Instant};

use hub_api::KnowledgeTick;
use hub_component::auth::header;
use hub_component::{database, errors, json, log, setting};
use hub_conversation::EmbeddingTarget;
use hub_db::embedding_models;
use hub_db::knowledge::{self, EmbeddingClaim};
use hub_db::{Db, Owner};
use hub_http::ApiError;
use sha2::{Digest, Sha256};
use spin_sdk::http::{Request, Response};

/// The variable whose value callers send as `Authorization: Bearer <value>`.
const SECRET_VARIABLE: &str = "tick_secret";
/// How long one call keeps claiming files.
const BUDGET: Duration = Duration::from_secs(20);
/// How long a claim keeps a file from other calls (renewed with every page).
const LEASE_SECS: i64 = 300;
/// Chunks read, embedded and stored at a time.
const PAGE: i64 = 256;
/// The first back-off after a failure, in seconds (then four times as long each time).
const FIRST_RETRY_SECS: i64 = 30;

/// Runs one background step.
pub async fn run(req: &Request) -> Result<Response, ApiError> {
    authorize(req)?;
    let db = database()?;
    let started = Instant::now();
    let mut done = KnowledgeTick {
        embedded: 0,
        failed: 0,
        more: false,
    };
    let Some((model, stored)) = embedding_models::active_with_provider(&db).map_err(errors::db)?
    else {
        return Ok(json(200, &done));
    };
    let model_id = model.model_id.clone();
    let target = EmbeddingTarget::of(model, &stored, &setting).map_err(|e| e.to_string());
    loop {
        if started.elapsed() >= BUDGET {
            done.more = true;
            break;
        }
        let Some(claim) =
            knowledge::claim_embedding(&db, &model_id, LEASE_SECS).map_err(errors::db)?
        else {
            break;
        };
        let outcome = match &target {
            Ok(target) => embed_file(&db, target, &claim).await,
            Err(reason) => Err(format!("the embedding model cannot be used: {reason}")),
        };
        match outcome {
            Ok(()) => {
                knowledge::finish_embedding(&db, claim.file_id, &model_id).map_err(errors::db)?;
                done.embedded += 1;
            }
            Err(reason) => {
                log::warn(
                    "embed",
                    format_args!("file {} not embedded: {reason}", claim.file_id),
                );
                let retry = FIRST_RETRY_SECS.saturating_mul(
                    4_i64.saturating_pow(u32::try_from(claim.attempts).unwrap_or(u32::MAX).min(8)),
                );
                knowledge::fail_embedding(&db, claim.file_id, &reason, retry)
                    .map_err(errors::db)?;
                done.failed += 1;
            }
        }
    }
    Ok(json(200, &done))
}

/// Embeds every chunk of the claimed file; the reason for people when it fails.
async fn embed_file(
    db: &dyn Db,
    target: &EmbeddingTarget,
    claim: &EmbeddingClaim,
) -> Result<(), String> {
    let owner = Owner::new(claim.owner_id);
    let mut from = 0;
    loop {
        let chunks =
            knowledge::chunk_texts(db, claim.file_id, from, PAGE).map_err(|e| e.to_string())?;
        let Some(last) = chunks.last().map(|c| c.ordinal) else {
            return Ok(());
        };
        let ordinals: Vec<i32> = chunks.iter().map(|c| c.ordinal).collect();
        let request = target.request(chunks.into_iter().map(|c| c.text).collect());
        let started = Instant::now();
        let response = hub_component::embeddings::embed(&target.config, &request)
            .await
            .map_err(|e| e.to_string())?;
        let (usage, estimated) = (response.usage, response.estimated);
        let vectors = target.vectors(response)?;
        let rows: Vec<(i32, Vec<f32>)> = ordinals.into_iter().zip(vectors).collect();
        knowledge::store_embeddings(db, claim.file_id, &rows).map_err(|e| e.to_string())?;
        let row = target.usage_row(usage, estimated, None, None, started.elapsed());
        if let Err(e) = hub_db::usage::insert(db, owner, &row) {
            log::warn("embed", format_args!("embedding usage not recorded: {e}"));
        }
        knowledge::extend_embedding_claim(db, claim.file_id, LEASE_SECS)
            .map_err(|e| e.to_string())?;
        from = last.saturating_add(1);
    }
}

/// Only callers with the tick secret: the runner's timer, a scheduler. Without the variable
/// the route is closed.
fn authorize(req: &Request) -> Result<(), ApiError> {
    let secret = setting(SECRET_VARIABLE).unwrap_or_default();
    if secret.trim().is_empty() {
        return Err(ApiError::forbidden(format!(
            "the background step is off: set the variable {SECRET_VARIABLE}"
        )));
    }
    let sent = header(req, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compare digests, so the time taken says nothing about the secret.
    if Sha256::digest(sent.as_bytes()) == Sha256::digest(secret.trim().as_bytes()) {
        Ok(())
    } else {
        let reason = if sent.is_empty() {
            "missing"
        } else {
            "invalid"
        };
        Err(ApiError::unauthenticated("a valid tick secret is required")
            .with_details(serde_json::json!({ "reason": reason })))
    }
}
