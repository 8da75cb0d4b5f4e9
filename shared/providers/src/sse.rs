//! An incremental parser of server-sent events, as the WHATWG HTML standard defines the
//! `text/event-stream` format; every provider's stream goes through it.
//!
//! Bytes go in as they arrive, in chunks split anywhere (inside a line, between `\r` and `\n`,
//! inside a UTF-8 sequence); complete events come out. Lines end in `\n`, `\r\n` or `\r`; a
//! blank line dispatches the event; `data:` lines of one event are joined with `\n`; lines
//! starting with `:` are comments (keep-alives); one leading space after the colon is dropped;
//! a leading byte-order mark is skipped. An event cut off by the end of the stream is
//! discarded, as the standard says. `data: [DONE]` is an ordinary event here: what it means
//! is the provider's business.

/// The largest event (or line) accepted, by default: far above any provider's chunk, far
/// below what would strain a component's memory.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, `None` for the default type (`message`).
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
    /// The last `id:` seen on the stream, if any.
    pub id: Option<String>,
}

impl SseEvent {
    /// The event type: the `event:` field or `message`.
    pub fn kind(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }
}

/// The stream sent an event larger than the parser's limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a server-sent event is larger than {limit} bytes")]
pub struct SseError {
    /// The limit.
    pub limit: usize,
}

/// The incremental parser. Feed it with [`SseParser::push`]; call [`SseParser::finish`] when
/// the body ends.
#[derive(Debug, Clone)]
pub struct SseParser {
    /// The current, incomplete line.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` starting the next one belongs to that line end.
    after_cr: bool,
    /// No line has been completed yet (a byte-order mark may start the first).
    first_line: bool,
    event: Option<String>,
    data: String,
    /// Whether a `data` field was seen for the current event.
    has_data: bool,
    last_id: Option<String>,
    limit: usize,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl SseParser {
    /// A parser with the [`MAX_EVENT_BYTES`] limit.
    pub fn new() -> Self {
        Self::with_limit(MAX_EVENT_BYTES)
    }

    /// A parser that refuses events (and lines) longer than `limit` bytes.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            line: Vec::new(),
            after_cr: false,
            first_line: true,
            event: None,
            data: String::new(),
            has_data: false,
            last_id: None,
            limit,
        }
    }

    /// Parses the next chunk of the body and returns the events it completed.
    ///
    /// After an error the parser's state is undefined: the stream is to be abandoned.
    pub fn push(&mut self, mut chunk: &[u8]) -> Result<Vec<SseEvent>, SseError> {
        let mut events = Vec::new();
        if chunk.is_empty() {
            return Ok(events);
        }
        if self.after_cr && chunk.first() == Some(&b'\n') {
            chunk = &chunk[1..];
        }
        self.after_cr = false;
        while let Some(end) = chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.extend_line(&chunk[..end])?;
            let crlf = chunk[end] == b'\r';
            let mut rest = &chunk[end + 1..];
            if crlf {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            chunk = rest;
            let line = std::mem::take(&mut self.line);
            if let Some(event) = self.process_line(&line)? {
                events.push(event);
            }
        }
        self.extend_line(chunk)?;
        Ok(events)
    }

    /// Ends the stream. Returns whether an event was cut off (it is discarded: a truncated
    /// event may carry truncated JSON).
    pub fn finish(&mut self) -> bool {
        let cut_off = !self.line.is_empty() || self.has_data;
        self.line.clear();
        self.data.clear();
        self.has_data = false;
        self.event = None;
        self.after_cr = false;
        cut_off
    }

    fn extend_line(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        if self.line.len() + bytes.len() + self.data.len() > self.limit {
            return Err(SseError { limit: self.limit });
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn process_line(&mut self, line: &[u8]) -> Result<Option<SseEvent>, SseError> {
        let mut line = line;
        if self.first_line {
            self.first_line = false;
            line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        }
        if line.is_empty() {
            return Ok(self.dispatch());
        }
        if line[0] == b':' {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                if self.data.len() + value.len() + 1 > self.limit {
                    return Err(SseError { limit: self.limit });
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            // `retry` only matters to a reconnecting browser; unknown fields are ignored.
            _ => {}
        }
        Ok(None)
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take().filter(|e| !e.is_empty());
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
            id: self.last_id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> Vec<SseEvent> {
        let mut parser = SseParser::new();
        let events = parser.push(input).unwrap();
        parser.finish();
        events
    }

    fn data(event: &SseEvent) -> &str {
        &event.data
    }

    fn message(data: &str) -> SseEvent {
        SseEvent {
            event: None,
            data: data.to_owned(),
            id: None,
        }
    }

    #[test]
    fn events_are_separated_by_blank_lines() {
        let events = parse(b"data: one\n\ndata: two\n\n");
        assert_eq!(events, [message("one"), message("two")]);
        assert_eq!(events[0].kind(), "message");
    }

    #[test]
    fn every_line_ending_is_understood() {
        for input in [
            &b"event: a\r\ndata: x\r\n\r\ndata: y\r\n\r\n"[..],
            b"event: a\rdata: x\r\rdata: y\r\r",
            b"event: a\ndata: x\n\ndata: y\n\n",
            b"event: a\r\ndata: x\r\rdata: y\n\n",
        ] {
            let events = parse(input);
            assert_eq!(events.len(), 2, "{input:?}");
            assert_eq!(events[0].kind(), "a");
            assert_eq!(data(&events[0]), "x");
            assert_eq!(events[1].kind(), "message");
            assert_eq!(data(&events[1]), "y");
        }
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines() {
        let events = parse(b"data: {\"a\":\ndata:1}\ndata\n\n");
        assert_eq!(data(&events[0]), "{\"a\":\n1}\n");
    }

    #[test]
    fn comments_and_unknown_fields_are_skipped() {
        let events = parse(b": keep-alive\n\n:\nretry: 1000\nfoo: bar\ndata: x\n\n: bye\n\n");
        assert_eq!(events, [message("x")]);
    }

    #[test]
    fn only_one_leading_space_is_dropped() {
        let events = parse(b"data:no-space\n\ndata:  two-spaces\n\ndata: a: b\n\n");
        assert_eq!(data(&events[0]), "no-space");
        assert_eq!(data(&events[1]), " two-spaces");
        assert_eq!(data(&events[2]), "a: b");
    }

    #[test]
    fn an_event_without_data_is_not_dispatched_but_empty_data_is() {
        let events = parse(b"event: ping\n\ndata:\n\n");
        assert_eq!(events, [message("")]);
    }

    #[test]
    fn the_event_type_does_not_leak_into_the_next_event() {
        let events = parse(b"event: error\ndata: 1\n\ndata: 2\n\n");
        assert_eq!(events[0].kind(), "error");
        assert_eq!(events[1].kind(), "message");
    }

    #[test]
    fn ids_carry_over() {
        let events = parse(b"id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n");
        assert_eq!(events[0].id.as_deref(), Some("7"));
        assert_eq!(events[1].id.as_deref(), Some("7"));
        assert_eq!(events[2].id.as_deref(), Some(""));
    }

    #[test]
    fn a_byte_order_mark_is_skipped_once() {
        let events = parse(b"\xEF\xBB\xBFdata: x\n\n");
        assert_eq!(events, [message("x")]);
        // Split inside the mark.
        let mut parser = SseParser::new();
        assert!(parser.push(b"\xEF").unwrap().is_empty());
        assert!(parser.push(b"\xBB\xBFdata: x\n").unwrap().is_empty());
        assert_eq!(parser.push(b"\n").unwrap(), [message("x")]);
    }

    #[test]
    fn a_cut_off_event_is_discarded() {
        let mut parser = SseParser::new();
        assert_eq!(
            parser.push(b"data: a\n\ndata: {\"trunc").unwrap(),
            [message("a")]
        );
        assert!(parser.finish());
        let mut parser = SseParser::new();
        parser
            .push(b"data: complete-line-but-no-blank-line\n")
            .unwrap();
        assert!(parser.finish());
        let mut parser = SseParser::new();
        parser.push(b"data: a\n\n").unwrap();
        assert!(!parser.finish());
    }

    #[test]
    fn a_crlf_split_across_chunks_is_one_line_end() {
        let mut parser = SseParser::new();
        assert!(parser.push(b"data: a\r").unwrap().is_empty());
        assert!(parser.push(b"\n").unwrap().is_empty());
        assert!(parser.push(b"\r").unwrap().len() == 1);
        assert!(parser.push(b"\ndata: b\r\n\r\n").unwrap().len() == 1);
    }

    #[test]
    fn utf8_split_across_chunks_survives() {
        let input = "data: Olá, 世界 👋\n\n".as_bytes();
        for split in 0..input.len() {
            let mut parser = SseParser::new();
            let mut events = parser.push(&input[..split]).unwrap();
            events.extend(parser.push(&input[split..]).unwrap());
            assert_eq!(events, [message("Olá, 世界 👋")], "split at {split}");
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let events = parse(b"data: a\xFFb\n\n");
        assert_eq!(data(&events[0]), "a\u{FFFD}b");
    }

    #[test]
    fn byte_at_a_time_equals_all_at_once() {
        let input = b": c\r\nevent: x\r\ndata: 1\r\ndata: 2\r\n\r\ndata: [DONE]\r\n\r\n";
        let whole = parse(input);
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        for byte in input {
            events.extend(parser.push(std::slice::from_ref(byte)).unwrap());
        }
        assert_eq!(events, whole);
        assert_eq!(whole.len(), 2);
        assert_eq!(data(&whole[1]), "[DONE]");
    }

    #[test]
    fn oversized_lines_and_events_are_refused() {
        let mut parser = SseParser::with_limit(16);
        assert_eq!(
            parser.push(b"data: 0123456789abcdef"),
            Err(SseError { limit: 16 })
        );
        let mut parser = SseParser::with_limit(16);
        parser.push(b"data: 0123456\n").unwrap();
        assert_eq!(parser.push(b"data: 0123456\n"), Err(SseError { limit: 16 }));
        let mut parser = SseParser::with_limit(16);
        for _ in 0..100 {
            assert_eq!(parser.push(b"data: 01234\n\n").unwrap().len(), 1);
        }
    }
}
