//! `POST /api/admin/providers/{provider}/test`: one cheap real request through the same provider
//! client the chats use (a non-streamed completion of one token, or a few for a reasoning model,
//! to a model of that provider), with the configuration the chats would use now. The answer,
//! `ok` or `failed` with the latency and the provider's own error, is stored as the provider's
//! last test and audited. A redirect is a failure: it is never followed.

use std::time::Instant;

use hub_api::ProviderTestView;
use hub_component::audit::{self, AuditAction};
use hub_component::{errors, json, upstream};
use hub_conversation::models::provider_config;
use hub_db::Db;
use hub_db::models::{self, Model};
use hub_db::providers::{self, ProviderOverrides};
use hub_http::ApiError;
use hub_providers::{ChatRequest, Message, ModelTraits, ProviderKind};
use serde_json::json;
use spin_sdk::http::{Request, Response};

use crate::providers::{admin_and_provider, settings, stored, test_view};

/// Largest successful answer read (a one-token completion is a few hundred bytes).
const ANSWER_LIMIT: usize = 256 * 1024;

/// What the test found: whether the provider answered, in how many milliseconds (`None` when
/// nothing was sent), and why not.
struct Finding {
    ok: bool,
    latency_ms: Option<i32>,
    error: Option<String>,
}

impl Finding {
    fn failed(latency_ms: Option<i32>, error: impl Into<String>) -> Self {
        Self {
            ok: false,
            latency_ms,
            error: Some(error.into()),
        }
    }
}

/// The model to test with: an enabled one of the provider first (Azure OpenAI: one with its
/// deployment), in the model list's order.
fn model_for(db: &dyn Db, kind: ProviderKind) -> Result<Option<Model>, ApiError> {
    let models = models::list_all(db).map_err(errors::db)?;
    Ok(models
        .into_iter()
        .filter(|m| m.provider == kind.as_str())
        .filter(|m| kind != ProviderKind::AzureOpenAi || m.azure_deployment.is_some())
        .min_by_key(|m| !m.enabled))
}

/// Sends the test request.
async fn probe(
    db: &dyn Db,
    kind: ProviderKind,
    overrides: &ProviderOverrides,
) -> Result<Finding, ApiError> {
    let config = match provider_config(kind, overrides, &settings) {
        Ok(config) => config,
        Err(e) => return Ok(Finding::failed(None, e.to_string())),
    };
    let Some(model) = model_for(db, kind)? else {
        return Ok(Finding::failed(
            None,
            format!(
                "no model of {kind} is configured to test with: add one under Models{}",
                if kind == ProviderKind::AzureOpenAi {
                    ", with its deployment"
                } else {
                    ""
                }
            ),
        ));
    };
    let client = match hub_providers::provider(&config) {
        Ok(client) => client,
        Err(e) => return Ok(Finding::failed(None, e.to_string())),
    };
    let mut traits = ModelTraits::infer(&model.model_id);
    traits.fixed_temperature = !model.supports_temperature;
    let mut request = ChatRequest::new(model.model_id.clone(), vec![Message::user("Say OK.")])
        .with_stream(false)
        .with_traits(traits)
        .with_max_output_tokens(if traits.reasoning { 16 } else { 1 });
    request.deployment = model.azure_deployment.clone();
    let request = match client.build_request(&request) {
        Ok(request) => request,
        Err(e) => return Ok(Finding::failed(None, e.to_string())),
    };
    let started = Instant::now();
    let elapsed = || i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let response = match upstream::send(request).await {
        Ok(response) => response,
        Err(e) => {
            return Ok(Finding::failed(
                Some(elapsed()),
                format!("{kind} could not be reached: {e}"),
            ));
        }
    };
    let status = response.status();
    if (200..300).contains(&status) {
        let body = upstream::read_body(&response, ANSWER_LIMIT).await;
        let latency = Some(elapsed());
        return Ok(match client.parse_response(&body) {
            Ok(_) => Finding {
                ok: true,
                latency_ms: latency,
                error: None,
            },
            Err(e) => Finding::failed(latency, e.to_string()),
        });
    }
    let headers = upstream::headers(&response);
    let body = upstream::read_body(&response, upstream::ERROR_BODY_LIMIT).await;
    let latency = Some(elapsed());
    let error = client.handle_error(status, &headers, &body).to_string();
    Ok(Finding::failed(
        latency,
        if (300..400).contains(&status) {
            format!("{error} (a redirect, not followed)")
        } else {
            error
        },
    ))
}

/// `POST /api/admin/providers/{provider}/test`.
pub async fn run(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, actor, kind) = admin_and_provider(req, id)?;
    let overrides = stored(&db, kind)?
        .map(|row| row.overrides)
        .unwrap_or_default();
    let finding = probe(&db, kind, &overrides).await?;
    let row = providers::record_test(
        &db,
        kind.as_str(),
        finding.ok,
        finding.latency_ms,
        finding.error.as_deref(),
    )
    .map_err(errors::db)?;
    let Some(test) = row.last_test.as_ref() else {
        return Err(ApiError::internal("the test result was not stored"));
    };
    let view: ProviderTestView = test_view(test);
    audit::record(
        &db,
        &audit::client(req),
        Some(actor.user_id),
        AuditAction::AdminProviderTested,
        Some(kind.as_str().to_owned()),
        json!({ "status": view.status, "latency_ms": view.latency_ms, "error": view.error }),
    );
    Ok(json(200, &view))
}
