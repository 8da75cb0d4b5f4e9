//! `app_model_config`: the models the hub offers, their provider, prices and traits.

use crate::providers::ProviderOverrides;
use crate::{Db, DbError, Numeric, Param, Row};

/// A configured model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The hub's id of the model (for every provider but Azure OpenAI also the provider's).
    pub model_id: String,
    /// The provider's id (`hub_providers::ProviderKind::as_str`: `openai`, `azure_openai`, ...).
    pub provider: String,
    /// The name shown to people.
    pub display_name: String,
    /// Whether users may choose it.
    pub enabled: bool,
    /// Whether it is the default model.
    pub is_default: bool,
    /// USD per million input tokens.
    pub input_price_per_million: Numeric,
    /// USD per million output tokens.
    pub output_price_per_million: Numeric,
    /// USD per million cached input tokens, when the model has a cache price.
    pub cached_input_price_per_million: Option<Numeric>,
    /// The context window in tokens, when known.
    pub context_window: Option<i32>,
    /// Azure OpenAI only: the deployment that serves the model.
    pub azure_deployment: Option<String>,
    /// Whether a temperature may be sent (reasoning models take only their default).
    pub supports_temperature: bool,
}

impl Model {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            model_id: row.get("model_id")?,
            provider: row.get("provider")?,
            display_name: row.get("display_name")?,
            enabled: row.get("enabled")?,
            is_default: row.get("is_default")?,
            input_price_per_million: row.get("input_price_per_million")?,
            output_price_per_million: row.get("output_price_per_million")?,
            cached_input_price_per_million: row.get("cached_input_price_per_million")?,
            context_window: row.get("context_window")?,
            azure_deployment: row.get("azure_deployment")?,
            supports_temperature: row.get("supports_temperature")?,
        })
    }
}

/// The columns of [`Model`].
const MODEL_COLUMNS: &str = r#"model_id, provider, display_name, enabled, is_default,
    input_price_per_million, output_price_per_million, cached_input_price_per_million,
    context_window, azure_deployment, supports_temperature"#;

/// The enabled models, the default first, then by provider and name (the model dropdown).
pub fn list_enabled(db: &dyn Db) -> Result<Vec<Model>, DbError> {
    let sql = format!(
        r#"
SELECT {MODEL_COLUMNS}
FROM app_model_config
WHERE enabled
ORDER BY is_default DESC, provider, display_name, model_id"#
    );
    let rows = db.query(&sql, &[])?;
    rows.iter().map(Model::from_row).collect()
}

/// The enabled model with this id (`None` when unknown or disabled).
pub fn find_enabled(db: &dyn Db, model_id: &str) -> Result<Option<Model>, DbError> {
    let sql =
        format!("SELECT {MODEL_COLUMNS} FROM app_model_config WHERE model_id = $1 AND enabled");
    let rows = db.query(&sql, &[Param::from(model_id)])?;
    rows.first().map(Model::from_row).transpose()
}

/// The default model, if one is set (it is always enabled).
pub fn find_default(db: &dyn Db) -> Result<Option<Model>, DbError> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM app_model_config WHERE is_default AND enabled");
    let rows = db.query(&sql, &[])?;
    rows.first().map(Model::from_row).transpose()
}

/// A model with the overrides stored for its provider (`provider_credentials`, all `None` when
/// none are stored), read in the same query: the chat's hot path asks once.
pub type ModelWithProvider = (Model, ProviderOverrides);

/// `SELECT` of the model columns and the provider overrides, for a `WHERE` on the model.
fn with_provider(filter: &str) -> String {
    format!(
        "SELECT {MODEL_COLUMNS}, encrypted_key, base_url, api_version \
         FROM app_model_config LEFT JOIN provider_credentials USING (provider) WHERE {filter}"
    )
}

fn with_provider_from_row(row: Row<'_>) -> Result<ModelWithProvider, DbError> {
    let overrides = ProviderOverrides::from_row(&row)?;
    Ok((Model::from_row(row)?, overrides))
}

/// [`find_enabled`] with its provider's overrides.
pub fn find_enabled_with_provider(
    db: &dyn Db,
    model_id: &str,
) -> Result<Option<ModelWithProvider>, DbError> {
    let sql = with_provider("model_id = $1 AND enabled");
    let rows = db.query(&sql, &[Param::from(model_id)])?;
    rows.first().map(with_provider_from_row).transpose()
}

/// [`find_default`] with its provider's overrides.
pub fn find_default_with_provider(db: &dyn Db) -> Result<Option<ModelWithProvider>, DbError> {
    let rows = db.query(&with_provider("is_default AND enabled"), &[])?;
    rows.first().map(with_provider_from_row).transpose()
}

/// Every configured model, enabled or not, in the order of [`list_enabled`].
pub fn list_all(db: &dyn Db) -> Result<Vec<Model>, DbError> {
    let sql = format!(
        r#"
SELECT {MODEL_COLUMNS}
FROM app_model_config
ORDER BY is_default DESC, provider, display_name, model_id"#
    );
    let rows = db.query(&sql, &[])?;
    rows.iter().map(Model::from_row).collect()
}

/// The model with this id, enabled or not.
pub fn find(db: &dyn Db, model_id: &str) -> Result<Option<Model>, DbError> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM app_model_config WHERE model_id = $1");
    let rows = db.query(&sql, &[Param::from(model_id)])?;
    rows.first().map(Model::from_row).transpose()
}

/// Serialises the admins' changes of the model list until the transaction ends (reads go on):
/// the default-model rule spans rows, so its checks and writes must not interleave.
pub fn lock_for_change(db: &dyn Db) -> Result<(), DbError> {
    db.execute(
        "LOCK TABLE app_model_config IN SHARE ROW EXCLUSIVE MODE",
        &[],
    )
    .map(drop)
}

fn model_params(model: &Model) -> Vec<Param> {
    vec![
        model.model_id.as_str().into(),
        model.provider.as_str().into(),
        model.display_name.as_str().into(),
        model.enabled.into(),
        model.is_default.into(),
        model.input_price_per_million.clone().into(),
        model.output_price_per_million.clone().into(),
        model.cached_input_price_per_million.clone().into(),
        model.context_window.into(),
        model.azure_deployment.as_deref().into(),
        model.supports_temperature.into(),
    ]
}

/// Adds a model; `None` when its id is taken.
pub fn insert(db: &dyn Db, model: &Model) -> Result<Option<Model>, DbError> {
    let sql = format!(
        r#"
INSERT INTO app_model_config ({MODEL_COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT DO NOTHING
RETURNING {MODEL_COLUMNS}"#
    );
    let rows = db.query(&sql, &model_params(model))?;
    rows.first().map(Model::from_row).transpose()
}

/// Writes every field of the model `model.model_id` (its provider stays); the model after it.
pub fn update(db: &dyn Db, model: &Model) -> Result<Option<Model>, DbError> {
    let sql = format!(
        r#"
UPDATE app_model_config SET
    display_name = $3, enabled = $4, is_default = $5,
    input_price_per_million = $6, output_price_per_million = $7,
    cached_input_price_per_million = $8, context_window = $9, azure_deployment = $10,
    supports_temperature = $11, updated_at = now()
WHERE model_id = $1 AND provider = $2
RETURNING {MODEL_COLUMNS}"#
    );
    let rows = db.query(&sql, &model_params(model))?;
    rows.first().map(Model::from_row).transpose()
}

/// Ends the default status of every model but `model_id` (before making it the default, in the
/// same transaction).
pub fn clear_default_except(db: &dyn Db, model_id: &str) -> Result<(), DbError> {
    const SQL: &str = r#"
UPDATE app_model_config SET is_default = false, updated_at = now()
WHERE is_default AND model_id <> $1"#;
    db.execute(SQL, &[Param::from(model_id)]).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Rows, Value};

    fn model_row(id: &str, cached: Value) -> Rows {
        Rows::new(
            [
                "model_id",
                "provider",
                "display_name",
                "enabled",
                "is_default",
                "input_price_per_million",
                "output_price_per_million",
                "cached_input_price_per_million",
                "context_window",
                "azure_deployment",
                "supports_temperature",
            ]
            .map(String::from)
            .to_vec(),
            vec![vec![
                Value::Text(id.into()),
                Value::Text("openai".into()),
                Value::Text("GPT-5".into()),
                Value::Bool(true),
                Value::Bool(false),
                Value::Numeric("1.25".into()),
                Value::Numeric("10.00".into()),
                cached,
                Value::Int(400_000),
                Value::Null,
                Value::Bool(false),
            ]],
        )
    }

    #[test]
    fn find_enabled_reads_prices_as_exact_decimals() {
        let db = FakeDb::new();
        db.push_rows(model_row("gpt-5", Value::Numeric("0.125".into())));
        let model = find_enabled(&db, "gpt-5").unwrap().unwrap();
        assert_eq!(model.input_price_per_million, Numeric("1.25".into()));
        assert_eq!(
            model.cached_input_price_per_million,
            Some(Numeric("0.125".into()))
        );
        assert_eq!(model.context_window, Some(400_000));
        assert!(!model.supports_temperature);
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("WHERE model_id = $1 AND enabled"), "{sql}");
        assert_eq!(params, &[Param::Text("gpt-5".into())]);
    }

    #[test]
    fn unknown_or_disabled_models_are_not_found() {
        let db = FakeDb::new();
        assert_eq!(find_enabled(&db, "gpt-3").unwrap(), None);
        assert_eq!(find_default(&db).unwrap(), None);
    }

    #[test]
    fn list_enabled_puts_the_default_first() {
        let db = FakeDb::new();
        db.push_rows(model_row("gpt-5", Value::Null));
        let models = list_enabled(&db).unwrap();
        assert_eq!(models.len(), 1);
        assert_eq!(models[0].cached_input_price_per_million, None);
        let sql = &db.statements()[0];
        assert!(sql.contains("WHERE enabled"), "{sql}");
        assert!(sql.contains("ORDER BY is_default DESC"), "{sql}");
    }
}
