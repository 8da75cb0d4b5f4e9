//! The audit log (admins only): `GET /api/admin/audit` (filtered, newest first, keyset pages),
//! `GET /api/admin/audit.csv` (the same filters, as a spreadsheet) and
//! `GET /api/admin/audit/verify` (walks the hash chain, reports the first broken link).

use hub_admin_domain::costs;
use hub_api::{AuditBrokenLink, AuditEntryView, AuditVerification, Page};
use hub_component::{errors, json, query_param, timestamp};
use hub_db::audit::{self, AuditAction, AuditEntry, AuditFilter, chain};
use hub_http::ApiError;
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::routes::admin;

/// Default and largest `?limit=` of the list.
const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 200;
/// Default and largest `?limit=` of the CSV export (rows; the rest follows with `?cursor=`
/// from the `x-next-cursor` header).
const CSV_DEFAULT: u32 = 10_000;
const CSV_MAX: u32 = 50_000;
/// Longest `?target=` (the stored target is cut to this length).
const TARGET_MAX_CHARS: usize = 320;

/// `GET /api/admin/audit`.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let query = Query::parse(req.query(), PAGE_DEFAULT, PAGE_MAX)?;
    let page = audit::list(&db, &query.filter, query.before, query.limit).map_err(errors::db)?;
    Ok(json(
        200,
        &Page {
            items: page.items.iter().map(view).collect(),
            next_cursor: page.next.map(audit::encode_cursor),
        },
    ))
}

/// `GET /api/admin/audit.csv`: `limit` rows (10,000 by default, at most 50,000) newest first;
/// when there are more, the `x-next-cursor` header continues them.
pub fn csv(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let query = Query::parse(req.query(), CSV_DEFAULT, CSV_MAX)?;
    let mut writer = hub_http::csv::Writer::new(&[
        "seq",
        "id",
        "created_at",
        "action",
        "actor_id",
        "actor_email",
        "target",
        "client_addr",
        "user_agent",
        "details",
        "hash",
    ]);
    let (mut before, mut left) = (query.before, query.limit);
    let next = loop {
        let page = audit::list(&db, &query.filter, before, left.min(audit::MAX_PAGE_SIZE))
            .map_err(errors::db)?;
        for entry in &page.items {
            let v = view(entry);
            let seq = v.seq.to_string();
            let details = chain::canonical_json(&v.details);
            let text = |s: &Option<String>| s.clone().unwrap_or_default();
            writer.row(&[
                seq,
                v.id,
                v.created_at,
                v.action,
                text(&v.actor_id),
                text(&v.actor_email),
                text(&v.target),
                text(&v.client_addr),
                text(&v.user_agent),
                details,
                v.hash,
            ]);
        }
        left -= page.items.len() as u32;
        match page.next {
            Some(seq) if left > 0 => before = Some(seq),
            next => break next,
        }
    };
    let mut response = hub_component::csv("audit-log.csv", writer.finish());
    if let Some(seq) = next {
        response.set_header("x-next-cursor", audit::encode_cursor(seq));
    }
    Ok(response)
}

/// `GET /api/admin/audit/verify`.
pub fn verify(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let report = chain::verify(&db, chain::VERIFY_BATCH).map_err(errors::db)?;
    Ok(json(
        200,
        &AuditVerification {
            ok: report.broken.is_none(),
            checked: i64::try_from(report.checked).unwrap_or(i64::MAX),
            head_seq: report.head_seq,
            head_hash: report.head_hash,
            broken: report.broken.map(|b| AuditBrokenLink {
                seq: b.seq,
                id: b.id.map(|id| id.to_string()),
                problem: b.problem.code().to_owned(),
                message: b.to_string(),
            }),
        },
    ))
}

fn view(entry: &AuditEntry) -> AuditEntryView {
    let row = &entry.row;
    AuditEntryView {
        seq: row.seq,
        id: row.id.to_string(),
        actor_id: row.actor_id.map(|a| a.to_string()),
        actor_email: entry.actor_email.clone(),
        action: row.action.clone(),
        target: row.target.clone(),
        client_addr: row.client_addr.clone(),
        user_agent: row.user_agent.clone(),
        details: row.details.clone(),
        created_at: timestamp(row.created_at),
        hash: chain::hex(&row.hash),
    }
}

/// The filters and paging of the list and the export.
struct Query {
    filter: AuditFilter,
    before: Option<i64>,
    limit: u32,
}

impl Query {
    fn parse(query: &str, default_limit: u32, max_limit: u32) -> Result<Self, ApiError> {
        // A parameter given is checked, an empty one included (leave it out for no filter).
        let param = |name: &str| query_param(query, name);
        let action = param("action")
            .map(|text| {
                AuditAction::parse(&text).ok_or_else(|| {
                    ApiError::invalid_field("action", "is not an audit action (e.g. auth.login)")
                })
            })
            .transpose()?;
        let actor_id = param("actor")
            .map(|text| {
                Uuid::try_parse(&text)
                    .map_err(|_| ApiError::invalid_field("actor", "is not a user id"))
            })
            .transpose()?;
        let target = param("target")
            .map(|text| {
                let chars = text.chars().count();
                if chars == 0 || chars > TARGET_MAX_CHARS || text.chars().any(char::is_control) {
                    Err(ApiError::invalid_field(
                        "target",
                        "must be 1 to 320 characters without control characters",
                    ))
                } else {
                    Ok(text)
                }
            })
            .transpose()?;
        let time = |field: &'static str| {
            param(field)
                .map(|text| costs::instant(field, &text).map_err(errors::admin))
                .transpose()
        };
        let (from, until) = (time("from")?, time("until")?);
        if let (Some(from), Some(until)) = (from, until)
            && from >= until
        {
            return Err(ApiError::invalid_field("until", "must be after from"));
        }
        let limit = match param("limit") {
            None => default_limit,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max_limit).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        "limit",
                        &format!("must be a whole number from 1 to {max_limit}"),
                    )
                })?,
        };
        let before = param("cursor")
            .map(|text| {
                audit::decode_cursor(&text).ok_or_else(|| {
                    ApiError::invalid_field("cursor", "is not a cursor of this list")
                })
            })
            .transpose()?;
        Ok(Self {
            filter: AuditFilter {
                action,
                actor_id,
                target,
                from,
                until,
            },
            before,
            limit,
        })
    }
}
