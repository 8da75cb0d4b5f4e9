//! The components' diagnostics: one line each on stderr (which Spin and the runner keep as the
//! component's log), `<level> <area>: <message>`, never a secret or a user's content.

use std::fmt::Display;

/// Something failed that the request survives (a usage row, an audit row, a client gone).
pub fn warn(area: &str, message: impl Display) {
    write("warn", area, message);
}

/// Something failed that the request does not survive (a 5xx, an answer not stored).
pub fn error(area: &str, message: impl Display) {
    write("error", area, message);
}

fn write(level: &str, area: &str, message: impl Display) {
    // One line per event, whatever the message holds.
    let text = message.to_string().replace(['\n', '\r'], " ");
    eprintln!("{level} {area}: {text}");
}
