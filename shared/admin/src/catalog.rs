//! The model list as admins manage it: validated input, and exactly one default model, which is
//! enabled, once any model is enabled.
//!
//! Decisions: the first enabled model becomes the default when there is none (a new hub's first
//! model, or enabling one after all were disabled); the default cannot be disabled or stop
//! being the default — another model is made the default instead, which moves it in one
//! transaction. Every change takes a table lock that serialises admins' model changes.

use hub_db::models::{self, Model};
use hub_db::{Db, Numeric};

use crate::AdminError;
use crate::accounts::in_transaction;

/// The providers a model may have.
pub const PROVIDERS: [&str; 7] = [
    "openai",
    "anthropic",
    "gemini",
    "mistral",
    "xai",
    "azure_openai",
    "openai_compatible",
];
/// The highest price per million tokens.
const MAX_PRICE: u32 = 1_000_000;
/// The most decimals of a price.
const MAX_PRICE_DECIMALS: usize = 10;

/// Checks a model id: 1-128 characters `A-Z a-z 0-9 . _ : / @ -`, starting with a letter or digit.
pub fn model_id(text: &str) -> Result<String, AdminError> {
    let valid = text.len() <= 128
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '/' | '@' | '-'));
    if valid {
        Ok(text.to_owned())
    } else {
        Err(AdminError::invalid(
            "id",
            "must be 1-128 characters A-Z a-z 0-9 . _ : / @ - starting with a letter or digit",
        ))
    }
}

fn provider(text: &str) -> Result<String, AdminError> {
    if PROVIDERS.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(AdminError::invalid(
            "provider",
            format!("must be one of {}", PROVIDERS.join(", ")),
        ))
    }
}

/// Checks a display name: 1-100 characters without control characters (trimmed).
pub fn display_name(text: &str) -> Result<String, AdminError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AdminError::invalid(
            "display_name",
            "must be 1-100 characters without control characters",
        ));
    }
    Ok(name.to_owned())
}

/// Checks a price: a plain decimal from 0 to 1000000 with at most 10 decimals (`"1.25"`), as an
/// exact [`Numeric`].
pub fn price(field: &'static str, text: &str) -> Result<Numeric, AdminError> {
    if text.starts_with('-') {
        return Err(AdminError::invalid(field, "must not be negative"));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let shaped = !whole.is_empty()
        && whole.len() <= 7
        && digits(whole)
        && digits(fraction)
        && fraction.len() <= MAX_PRICE_DECIMALS
        && (fraction.is_empty() != text.contains('.'));
    let within = whole
        .parse::<u32>()
        .is_ok_and(|w| w < MAX_PRICE || (w == MAX_PRICE && fraction.bytes().all(|b| b == b'0')));
    if shaped && within {
        Ok(Numeric(text.to_owned()))
    } else {
        Err(AdminError::invalid(
            field,
            format!(
                "must be a decimal string from 0 to {MAX_PRICE} with at most {MAX_PRICE_DECIMALS} decimals"
            ),
        ))
    }
}

fn context_window(value: i32) -> Result<i32, AdminError> {
    if value > 0 {
        Ok(value)
    } else {
        Err(AdminError::invalid(
            "context_window",
            "must be greater than 0",
        ))
    }
}

fn deployment(text: &str) -> Result<String, AdminError> {
    let valid = !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(text.to_owned())
    } else {
        Err(AdminError::invalid(
            "azure_deployment",
            "must be 1-64 characters A-Z a-z 0-9 . _ -",
        ))
    }
}

/// The Azure rule: an Azure model needs its deployment while enabled; others have none.
fn check_deployment(model: &Model) -> Result<(), AdminError> {
    let azure = model.provider == "azure_openai";
    match (&model.azure_deployment, azure) {
        (Some(_), false) => Err(AdminError::invalid(
            "azure_deployment",
            "only Azure OpenAI models have a deployment",
        )),
        (None, true) if model.enabled => Err(AdminError::invalid(
            "azure_deployment",
            "an enabled Azure OpenAI model needs its deployment",
        )),
        _ => Ok(()),
    }
}

/// What an admin sends to add a model.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewModel<'a> {
    /// The model id.
    pub id: &'a str,
    /// The provider id.
    pub provider: &'a str,
    /// The display name.
    pub display_name: &'a str,
    /// Price per million input tokens.
    pub input_price: &'a str,
    /// Price per million output tokens.
    pub output_price: &'a str,
    /// Price per million cached input tokens.
    pub cached_input_price: Option<&'a str>,
    /// The context window.
    pub context_window: Option<i32>,
    /// Temperature support (default `true`).
    pub supports_temperature: Option<bool>,
    /// Azure deployment.
    pub azure_deployment: Option<&'a str>,
    /// Enabled (default `true`).
    pub enabled: Option<bool>,
}

/// Checks a new model: the row to insert (not yet the default).
pub fn parse_new(new: &NewModel<'_>) -> Result<Model, AdminError> {
    let model = Model {
        model_id: model_id(new.id)?,
        provider: provider(new.provider)?,
        display_name: display_name(new.display_name)?,
        enabled: new.enabled.unwrap_or(true),
        is_default: false,
        input_price_per_million: price("input_price_per_million", new.input_price)?,
        output_price_per_million: price("output_price_per_million", new.output_price)?,
        cached_input_price_per_million: new
            .cached_input_price
            .map(|p| price("cached_input_price_per_million", p))
            .transpose()?,
        context_window: new.context_window.map(context_window).transpose()?,
        azure_deployment: new.azure_deployment.map(deployment).transpose()?,
        supports_temperature: new.supports_temperature.unwrap_or(true),
    };
    check_deployment(&model)?;
    Ok(model)
}

/// Adds a model; it becomes the default if it is enabled and there is none.
pub fn create(db: &dyn Db, new: &NewModel<'_>) -> Result<Model, AdminError> {
    let mut model = parse_new(new)?;
    in_transaction(db, |db| {
        models::lock_for_change(db)?;
        model.is_default = model.enabled && models::find_default(db)?.is_none();
        models::insert(db, &model)?.ok_or(AdminError::ModelExists)
    })
}

/// What an admin sends to change a model (`None`: unchanged; `Some(None)`: reset).
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelPatch<'a> {
    /// Display name.
    pub display_name: Option<&'a str>,
    /// Enabled.
    pub enabled: Option<bool>,
    /// Make it the default (`Some(true)`); `Some(false)` on the default is refused.
    pub is_default: Option<bool>,
    /// Price per million input tokens.
    pub input_price: Option<&'a str>,
    /// Price per million output tokens.
    pub output_price: Option<&'a str>,
    /// Price per million cached input tokens.
    pub cached_input_price: Option<Option<&'a str>>,
    /// The context window.
    pub context_window: Option<Option<i32>>,
    /// Temperature support.
    pub supports_temperature: Option<bool>,
    /// Azure deployment.
    pub azure_deployment: Option<Option<&'a str>>,
}

impl ModelPatch<'_> {
    fn is_empty(&self) -> bool {
        self.display_name.is_none()
            && self.enabled.is_none()
            && self.is_default.is_none()
            && self.input_price.is_none()
            && self.output_price.is_none()
            && self.cached_input_price.is_none()
            && self.context_window.is_none()
            && self.supports_temperature.is_none()
            && self.azure_deployment.is_none()
    }
}

/// The model after `patch`, under the default-model rule; `default_exists`: whether some model
/// is the default now.
pub fn apply(
    before: &Model,
    patch: &ModelPatch<'_>,
    default_exists: bool,
) -> Result<Model, AdminError> {
    if patch.is_empty() {
        return Err(AdminError::invalid("body", "names no field to change"));
    }
    let mut after = before.clone();
    if let Some(name) = patch.display_name {
        after.display_name = display_name(name)?;
    }
    if let Some(enabled) = patch.enabled {
        after.enabled = enabled;
    }
    if let Some(p) = patch.input_price {
        after.input_price_per_million = price("input_price_per_million", p)?;
    }
    if let Some(p) = patch.output_price {
        after.output_price_per_million = price("output_price_per_million", p)?;
    }
    if let Some(p) = patch.cached_input_price {
        after.cached_input_price_per_million = p
            .map(|p| price("cached_input_price_per_million", p))
            .transpose()?;
    }
    if let Some(w) = patch.context_window {
        after.context_window = w.map(context_window).transpose()?;
    }
    if let Some(t) = patch.supports_temperature {
        after.supports_temperature = t;
    }
    if let Some(d) = patch.azure_deployment {
        after.azure_deployment = d.map(deployment).transpose()?;
    }
    check_deployment(&after)?;
    match patch.is_default {
        Some(false) if before.is_default => {
            return Err(AdminError::DefaultModelRequired(
                "the default model stays the default until another model is made the default",
            ));
        }
        Some(true) => after.is_default = true,
        _ => {}
    }
    if after.is_default && !after.enabled {
        return Err(AdminError::DefaultModelRequired(if before.is_default {
            "the default model cannot be disabled: make another model the default first"
        } else {
            "a disabled model cannot be the default"
        }));
    }
    if after.enabled && !default_exists {
        after.is_default = true;
    }
    Ok(after)
}

/// Changes a model in one transaction (making it the default ends the former default's status
/// in the same one); the model before and after.
pub fn update(db: &dyn Db, id: &str, patch: &ModelPatch<'_>) -> Result<(Model, Model), AdminError> {
    in_transaction(db, |db| {
        models::lock_for_change(db)?;
        let before = models::find(db, id)?.ok_or(AdminError::NotFound("model"))?;
        let default_exists = models::find_default(db)?.is_some();
        let after = apply(&before, patch, default_exists)?;
        if after.is_default && !before.is_default {
            models::clear_default_except(db, id)?;
        }
        let after = models::update(db, &after)?.ok_or(AdminError::NotFound("model"))?;
        Ok((before, after))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(enabled: bool, is_default: bool) -> Model {
        Model {
            model_id: "gpt-5".into(),
            provider: "openai".into(),
            display_name: "GPT-5".into(),
            enabled,
            is_default,
            input_price_per_million: Numeric("1.25".into()),
            output_price_per_million: Numeric("10".into()),
            cached_input_price_per_million: None,
            context_window: Some(400_000),
            azure_deployment: None,
            supports_temperature: false,
        }
    }

    fn field(result: Result<impl std::fmt::Debug, AdminError>) -> &'static str {
        match result {
            Err(AdminError::Invalid { field, .. }) => field,
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn ids_prices_and_windows_are_checked() {
        assert!(model_id("gpt-5").is_ok());
        assert!(model_id("meta-llama/Llama-3.1-8B@q4:latest").is_ok());
        for bad in [
            "",
            "gpt 5",
            "-gpt",
            "gpt\u{0}",
            "gpt\n5",
            &"a".repeat(129),
            "gpt-ü",
        ] {
            assert_eq!(field(model_id(bad)), "id", "{bad:?}");
        }
        for good in [
            "0",
            "1.25",
            "0.0000000001",
            "1000000",
            "1000000.00",
            "999999.9999999999",
        ] {
            assert_eq!(price("p", good).unwrap(), Numeric(good.into()), "{good}");
        }
        for bad in [
            "-1",
            "-0.5",
            "",
            ".5",
            "1.",
            "1e3",
            "1,5",
            " 1",
            "1000000.01",
            "1.00000000001",
            "NaN",
            "+1",
            "12345678",
        ] {
            assert_eq!(
                field(price("input_price_per_million", bad)),
                "input_price_per_million",
                "{bad:?}"
            );
        }
        let new = NewModel {
            id: "m",
            provider: "openai",
            display_name: "M",
            input_price: "0",
            output_price: "0",
            ..Default::default()
        };
        assert!(parse_new(&new).is_ok());
        assert_eq!(
            field(parse_new(&NewModel {
                context_window: Some(0),
                ..new
            })),
            "context_window"
        );
        assert_eq!(
            field(parse_new(&NewModel {
                provider: "acme",
                ..new
            })),
            "provider"
        );
        assert_eq!(
            field(parse_new(&NewModel {
                display_name: " ",
                ..new
            })),
            "display_name"
        );
    }

    #[test]
    fn azure_models_need_their_deployment_and_others_have_none() {
        let new = NewModel {
            id: "gpt-4o",
            provider: "azure_openai",
            display_name: "GPT-4o",
            input_price: "2.5",
            output_price: "10",
            ..Default::default()
        };
        assert_eq!(field(parse_new(&new)), "azure_deployment");
        assert!(
            parse_new(&NewModel {
                enabled: Some(false),
                ..new
            })
            .is_ok()
        );
        let ok = parse_new(&NewModel {
            azure_deployment: Some("prod-4o"),
            ..new
        })
        .unwrap();
        assert_eq!(ok.azure_deployment.as_deref(), Some("prod-4o"));
        let other = NewModel {
            provider: "openai",
            azure_deployment: Some("x"),
            ..new
        };
        assert_eq!(field(parse_new(&other)), "azure_deployment");
    }

    #[test]
    fn exactly_one_enabled_default() {
        // The default cannot be disabled nor stop being the default.
        let default = model(true, true);
        for patch in [
            ModelPatch {
                enabled: Some(false),
                ..Default::default()
            },
            ModelPatch {
                is_default: Some(false),
                ..Default::default()
            },
        ] {
            assert!(matches!(
                apply(&default, &patch, true),
                Err(AdminError::DefaultModelRequired(_))
            ));
        }
        // A disabled model cannot become the default; enabling it in the same change can.
        let off = model(false, false);
        let make_default = ModelPatch {
            is_default: Some(true),
            ..Default::default()
        };
        assert!(matches!(
            apply(&off, &make_default, true),
            Err(AdminError::DefaultModelRequired(_))
        ));
        let both = ModelPatch {
            enabled: Some(true),
            ..make_default
        };
        assert!(apply(&off, &both, true).unwrap().is_default);
        // Enabling a model when none is the default makes it the default.
        let enable = ModelPatch {
            enabled: Some(true),
            ..Default::default()
        };
        assert!(apply(&off, &enable, false).unwrap().is_default);
        assert!(!apply(&off, &enable, true).unwrap().is_default);
        // An empty change is refused; a reset of a nullable field is a change.
        assert_eq!(field(apply(&off, &ModelPatch::default(), true)), "body");
        let reset = ModelPatch {
            context_window: Some(None),
            ..Default::default()
        };
        assert_eq!(apply(&default, &reset, true).unwrap().context_window, None);
    }
}
