//! A streamed answer: response bytes in, provider-neutral [`StreamEvent`]s out.

use crate::config::ProviderKind;
use crate::error::ProviderError;
use crate::secret::SecretString;
use crate::sse::{SseEvent, SseParser};
use crate::types::{FinishReason, StreamEvent, Usage};

/// What a provider's decoder makes of one SSE event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    /// Answer text.
    Text(String),
    /// Usage so far (the provider's cumulative counts, replacing earlier ones).
    Usage(Usage),
    /// The finish reason (the stream may still carry usage after it).
    Finish(FinishReason),
    /// An error event: the stream ends with it.
    Error(ProviderError),
    /// The provider's end-of-stream marker (`[DONE]`, `message_stop`).
    Done,
}

/// One provider's reading of its SSE events.
pub(crate) trait Decoder {
    /// Appends what `event` means to `out`; an `Err` is unreadable data and ends the stream.
    fn decode(&mut self, event: &SseEvent, out: &mut Vec<Piece>) -> Result<(), ProviderError>;
}

/// The parser of one streamed answer; get one from [`crate::Provider::stream`].
///
/// Feed it the response body as it arrives ([`ChatStream::push`]) and call
/// [`ChatStream::finish`] when the body ends. Text is passed on as soon as it arrives; usage
/// and the finish reason are held until the provider's end of stream, so that the events
/// always end with `[Usage,] Finish` or `[Usage,] Error` (see [`StreamEvent`]). Nothing is
/// returned after that.
pub struct ChatStream {
    provider: ProviderKind,
    parser: SseParser,
    decoder: Box<dyn Decoder>,
    /// The request's key, redacted from the errors (the stream may echo anything).
    key: Option<SecretString>,
    usage: Option<Usage>,
    finish: Option<FinishReason>,
    closed: bool,
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("provider", &self.provider)
            .field("usage", &self.usage)
            .field("finish", &self.finish)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl ChatStream {
    pub(crate) fn new(provider: ProviderKind, decoder: Box<dyn Decoder>) -> Self {
        Self {
            provider,
            parser: SseParser::new(),
            decoder,
            key: None,
            usage: None,
            finish: None,
            closed: false,
        }
    }

    /// Redacts `key` from the stream's errors.
    pub(crate) fn with_key(mut self, key: Option<&SecretString>) -> Self {
        self.key = key.cloned();
        self
    }

    /// The provider whose stream this is.
    pub fn provider(&self) -> ProviderKind {
        self.provider
    }

    /// Whether the stream has ended (a `Finish` or an `Error` was returned).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Parses the next chunk of the body (split anywhere) and returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.closed {
            return out;
        }
        match self.parser.push(chunk) {
            Ok(events) => {
                for event in &events {
                    self.handle(event, &mut out);
                    if self.closed {
                        break;
                    }
                }
            }
            Err(e) => {
                let error = ProviderError::invalid_response(self.provider, e.to_string());
                self.close(Some(error), &mut out);
            }
        }
        out
    }

    /// Ends the body. A stream that ends without the provider's end marker is complete if
    /// the provider gave a finish reason (Gemini has no end marker), and otherwise ends with
    /// [`ProviderError::Incomplete`].
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.closed {
            return out;
        }
        self.parser.finish();
        let error = match self.finish {
            Some(_) => None,
            None => Some(ProviderError::Incomplete {
                provider: self.provider,
            }),
        };
        self.close(error, &mut out);
        out
    }

    /// Parses a whole body at once: `push(body)` then `finish()`.
    pub fn parse_body(mut self, body: &[u8]) -> Vec<StreamEvent> {
        let mut events = self.push(body);
        events.extend(self.finish());
        events
    }

    fn handle(&mut self, event: &SseEvent, out: &mut Vec<StreamEvent>) {
        let mut pieces = Vec::new();
        if let Err(e) = self.decoder.decode(event, &mut pieces) {
            pieces.push(Piece::Error(e));
        }
        for piece in pieces {
            match piece {
                Piece::Text(text) if text.is_empty() => {}
                Piece::Text(text) => out.push(StreamEvent::Delta(text)),
                Piece::Usage(usage) => self.usage = Some(usage),
                Piece::Finish(reason) => self.finish = Some(reason),
                Piece::Error(error) => return self.close(Some(error), out),
                Piece::Done => return self.close(None, out),
            }
        }
    }

    fn close(&mut self, error: Option<ProviderError>, out: &mut Vec<StreamEvent>) {
        self.closed = true;
        if let Some(usage) = self.usage.take() {
            out.push(StreamEvent::Usage(usage));
        }
        out.push(match error {
            Some(error) => StreamEvent::Error(error.redacted(self.key.as_ref())),
            None => {
                StreamEvent::Finish(self.finish.take().unwrap_or_else(FinishReason::unspecified))
            }
        });
    }
}

/// The sum of a stream's events: what the hub stores once the stream is over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamSummary {
    /// The answer's text so far.
    pub text: String,
    /// The reported usage, if any.
    pub usage: Option<Usage>,
    /// The finish reason, once the answer is complete.
    pub finish: Option<FinishReason>,
    /// The error that ended the stream, if one did.
    pub error: Option<ProviderError>,
}

impl StreamSummary {
    /// Adds one event.
    pub fn apply(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::Delta(text) => self.text.push_str(text),
            StreamEvent::Usage(usage) => self.usage = Some(*usage),
            StreamEvent::Finish(reason) => self.finish = Some(reason.clone()),
            StreamEvent::Error(error) => self.error = Some(error.clone()),
        }
    }

    /// The summary of a list of events.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a StreamEvent>) -> Self {
        let mut summary = Self::default();
        for event in events {
            summary.apply(event);
        }
        summary
    }

    /// Whether the answer is complete (finished, no error).
    pub fn is_complete(&self) -> bool {
        self.finish.is_some() && self.error.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decoder for tests: `data: t:<text>`, `u:<in>,<out>`, `f:<reason>`, `e:<msg>`, `done`.
    struct Script;

    impl Decoder for Script {
        fn decode(&mut self, event: &SseEvent, out: &mut Vec<Piece>) -> Result<(), ProviderError> {
            let data = event.data.as_str();
            let provider = ProviderKind::OpenAiCompatible;
            if let Some(text) = data.strip_prefix("t:") {
                out.push(Piece::Text(text.to_owned()));
            } else if let Some(usage) = data.strip_prefix("u:") {
                let (input, output) = usage.split_once(',').unwrap();
                out.push(Piece::Usage(Usage {
                    input: input.parse().unwrap(),
                    output: output.parse().unwrap(),
                    cached: 0,
                }));
            } else if let Some(reason) = data.strip_prefix("f:") {
                out.push(Piece::Finish(FinishReason::Other(reason.to_owned())));
            } else if let Some(message) = data.strip_prefix("e:") {
                out.push(Piece::Error(ProviderError::from_event(
                    provider,
                    None,
                    message.into(),
                )));
            } else if data == "done" {
                out.push(Piece::Done);
            } else {
                return Err(ProviderError::invalid_response(provider, "bad"));
            }
            Ok(())
        }
    }

    fn stream() -> ChatStream {
        ChatStream::new(ProviderKind::OpenAiCompatible, Box::new(Script))
    }

    fn usage(input: u64, output: u64) -> StreamEvent {
        StreamEvent::Usage(Usage {
            input,
            output,
            cached: 0,
        })
    }

    #[test]
    fn usage_and_finish_come_last_in_that_order() {
        let events = stream().parse_body(
            b"data: t:a\n\ndata: f:stop\n\ndata: u:1,2\n\ndata: t:\n\ndata: done\n\ndata: t:ignored\n\n",
        );
        assert_eq!(
            events,
            [
                StreamEvent::Delta("a".into()),
                usage(1, 2),
                StreamEvent::Finish(FinishReason::Other("stop".into())),
            ]
        );
    }

    #[test]
    fn later_usage_replaces_earlier_usage() {
        let events = stream().parse_body(b"data: u:5,1\n\ndata: u:5,9\n\ndata: f:x\n\n");
        assert_eq!(events[0], usage(5, 9));
    }

    #[test]
    fn an_end_without_finish_is_incomplete_but_keeps_the_usage() {
        let events = stream().parse_body(b"data: u:5,1\n\ndata: t:par");
        assert_eq!(
            events,
            [
                usage(5, 1),
                StreamEvent::Error(ProviderError::Incomplete {
                    provider: ProviderKind::OpenAiCompatible
                })
            ]
        );
    }

    #[test]
    fn done_without_a_reason_is_unspecified() {
        let events = stream().parse_body(b"data: done\n\n");
        assert_eq!(events, [StreamEvent::Finish(FinishReason::unspecified())]);
    }

    #[test]
    fn an_error_event_ends_the_stream() {
        let mut s = stream();
        let events = s.push(b"data: t:half\n\ndata: e:overloaded\n\ndata: t:more\n\n");
        assert!(s.is_closed());
        assert_eq!(events.len(), 2);
        assert!(
            matches!(&events[1], StreamEvent::Error(ProviderError::Upstream { message, .. }) if message == "overloaded")
        );
        assert!(s.push(b"data: t:x\n\n").is_empty());
        assert!(s.finish().is_empty());
    }

    #[test]
    fn unreadable_data_is_an_invalid_response() {
        let events = stream().parse_body(b"data: ???\n\n");
        assert!(matches!(
            events[..],
            [StreamEvent::Error(ProviderError::InvalidResponse { .. })]
        ));
    }

    #[test]
    fn summaries_add_up_the_events() {
        let events =
            stream().parse_body(b"data: t:Hel\n\ndata: t:lo\n\ndata: u:3,2\n\ndata: f:stop\n\n");
        let summary = StreamSummary::of(&events);
        assert_eq!(summary.text, "Hello");
        assert_eq!(summary.usage.map(|u| u.total()), Some(5));
        assert!(summary.is_complete());
        let summary = StreamSummary::of(&stream().parse_body(b"data: t:Hel"));
        assert!(!summary.is_complete());
        assert!(summary.error.is_some());
    }
}
