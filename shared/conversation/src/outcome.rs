//! How an answer went, and what it costs.

use std::time::Duration;

use hub_db::Numeric;
use hub_db::messages::Status;
use hub_db::usage::NewUsage;
use hub_providers::{Decimal, ProviderError, StreamSummary, Usage};
use uuid::Uuid;

use crate::Target;
use crate::prompt::estimate_tokens;

/// What the provider's answer amounted to, and how long it took.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The text, usage, finish reason and error of the stream.
    pub summary: StreamSummary,
    /// Time to the first piece of text.
    pub ttft: Option<Duration>,
    /// Time to the end of the answer.
    pub latency: Duration,
}

impl Outcome {
    /// An answer that failed before any text: `error` says why.
    pub fn failed(error: ProviderError) -> Self {
        Self {
            summary: StreamSummary {
                error: Some(error),
                ..StreamSummary::default()
            },
            ..Self::default()
        }
    }

    /// How the answer is stored: `complete`; `partial` (text, then an error); `error` (no text);
    /// with the error's description.
    pub fn status(&self) -> (Status, Option<String>) {
        match &self.summary.error {
            None => (Status::Complete, None),
            Some(e) if self.summary.text.is_empty() => (Status::Error, Some(e.to_string())),
            Some(e) => (Status::Partial, Some(e.to_string())),
        }
    }
}

/// Tokens and what they cost at a model's prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Charge {
    /// The tokens.
    pub usage: Usage,
    /// Their cost, exact.
    pub cost: Decimal,
    /// Whether the hub estimated the tokens because the provider reported none.
    pub estimated: bool,
}

impl Charge {
    /// `usage` at `target`'s prices.
    pub fn new(target: &Target, usage: Usage, estimated: bool) -> Self {
        Self {
            usage,
            cost: hub_providers::cost(&usage, &target.prices),
            estimated,
        }
    }

    /// The charge of an answer: the provider's usage, or an estimate from the prompt's and the
    /// answer's sizes when it reported none but answered; `None` when nothing was generated
    /// (the provider refused or failed before answering).
    pub fn of_answer(target: &Target, prompt_bytes: usize, outcome: &Outcome) -> Option<Self> {
        if let Some(usage) = outcome.summary.usage {
            return Some(Self::new(target, usage, false));
        }
        if outcome.summary.text.is_empty() {
            return None;
        }
        let usage = Usage {
            input: estimate_tokens(prompt_bytes),
            output: estimate_tokens(outcome.summary.text.len()),
            cached: 0,
        };
        Some(Self::new(target, usage, true))
    }

    /// The usage row of this charge: one request to `target` in chat `chat_id`, answering
    /// `message_id` (none for a title request).
    pub fn row<'a>(
        &self,
        target: &'a Target,
        chat_id: Uuid,
        message_id: Option<Uuid>,
        latency: Duration,
        ttft: Option<Duration>,
    ) -> NewUsage<'a> {
        let millis = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
        NewUsage {
            chat_id: Some(chat_id),
            message_id,
            provider: target.kind.as_str(),
            model: &target.model.model_id,
            input_tokens: self.usage.input,
            output_tokens: self.usage.output,
            cached_tokens: self.usage.cached,
            cost: Numeric(self.cost.to_string()),
            latency_ms: Some(millis(latency)),
            ttft_ms: ttft.map(millis),
            estimated: self.estimated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::target;
    use hub_providers::ProviderKind;

    fn outcome(text: &str, usage: Option<Usage>, error: Option<ProviderError>) -> Outcome {
        Outcome {
            summary: StreamSummary {
                text: text.to_owned(),
                usage,
                finish: None,
                error,
            },
            ttft: Some(Duration::from_millis(120)),
            latency: Duration::from_millis(900),
        }
    }

    #[test]
    fn reported_usage_is_charged_as_reported_else_estimated() {
        let target = target(None);
        let reported = Usage {
            input: 1_000_000,
            output: 0,
            cached: 0,
        };
        let charge = Charge::of_answer(&target, 10, &outcome("Hi", Some(reported), None)).unwrap();
        assert!(!charge.estimated);
        assert_eq!(charge.cost, "0.15".parse::<Decimal>().unwrap());
        let charge = Charge::of_answer(&target, 40, &outcome("12345678", None, None)).unwrap();
        assert!(charge.estimated);
        assert_eq!((charge.usage.input, charge.usage.output), (10, 2));
        assert_eq!(
            Charge::of_answer(&target, 40, &outcome("", None, None)),
            None
        );

        let row = charge.row(&target, Uuid::nil(), None, Duration::from_millis(900), None);
        assert_eq!((row.provider, row.model), ("openai", "gpt-4o-mini"));
        assert_eq!(
            (row.latency_ms, row.ttft_ms, row.estimated),
            (Some(900), None, true)
        );
    }

    #[test]
    fn the_stored_status_follows_text_and_error() {
        let failure = || ProviderError::Incomplete {
            provider: ProviderKind::OpenAi,
        };
        assert_eq!(outcome("Hi", None, None).status(), (Status::Complete, None));
        assert_eq!(
            outcome("Hi", None, Some(failure())).status().0,
            Status::Partial
        );
        let (status, error) = outcome("", None, Some(failure())).status();
        assert_eq!(status, Status::Error);
        assert!(error.is_some());
    }
}
