//! Interoperability with Python's cryptography, live: the project's Python (.data/venv, where
//! `HUB_SETUP_SCHEMATHESIS=1 scripts/setup.sh` installs cryptography) encrypts, decrypts and
//! checks rotated tokens against this crate's.
//!
//! Without that Python the test fails when `CI` or `HUB_REQUIRE_PYTHON_INTEROP` is set, and
//! otherwise prints a notice and passes (tests/fixtures/python_tokens.json still covers
//! Python-made tokens).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hub_keys::{CipherError, MasterKeys, generate_master_key};
use serde_json::{Value, json};

/// Reads the request from stdin and answers on stdout, both JSON:
/// (a) encrypts with MultiFernet([new, old]) and with Fernet(old) alone, for Rust to decrypt;
/// (b) decrypts the token Rust made under [new, old] with Fernet(new);
/// (c) decrypts the token Rust rotated to [new, old] with Fernet(new) alone, and reports
///     whether Fernet(old) can (it must not).
const SNIPPET: &str = r#"
import json, sys
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
req = json.load(sys.stdin)
new, old = Fernet(req["new"]), Fernet(req["old"])
multi = MultiFernet([new, old])
out = {
    "python_multi": multi.encrypt(req["text"].encode()).decode(),
    "python_old": old.encrypt(req["text"].encode()).decode(),
    "rust_plain": new.decrypt(req["rust_token"]).decode(),
    "rotated_plain": new.decrypt(req["rotated"]).decode(),
}
try:
    old.decrypt(req["rotated"])
    out["rotated_opens_with_old"] = True
except InvalidToken:
    out["rotated_opens_with_old"] = False
json.dump(out, sys.stdout)
"#;

fn venv_python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.data/venv/bin/python")
}

/// The venv's Python if it has cryptography; else `None` after failing (CI) or printing a notice.
fn python_or_skip() -> Option<PathBuf> {
    let python = venv_python();
    let usable = Command::new(&python)
        .args(["-c", "import cryptography.fernet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if usable {
        return Some(python);
    }
    let message = format!(
        "{} with the Python package cryptography is missing: run `HUB_SETUP_SCHEMATHESIS=1 \
         scripts/setup.sh` (scripts/test.sh does) to install it",
        python.display()
    );
    if std::env::var_os("CI").is_some() || std::env::var_os("HUB_REQUIRE_PYTHON_INTEROP").is_some()
    {
        panic!("{message}");
    }
    eprintln!("skipped: the Python interoperability test: {message}");
    None
}

/// Runs the snippet with `request` on stdin; at most 60 seconds.
fn run_python(python: &PathBuf, request: &Value) -> Value {
    let mut child = Command::new(python)
        .args(["-c", SNIPPET])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("the Python snippet did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn tokens_cross_between_rust_and_python() {
    let Some(python) = python_or_skip() else {
        return;
    };
    let (new, old) = (
        generate_master_key().unwrap(),
        generate_master_key().unwrap(),
    );
    let both = MasterKeys::parse(&format!("{new},{old}")).unwrap();
    let new_only = MasterKeys::parse(&new).unwrap();
    let old_only = MasterKeys::parse(&old).unwrap();
    let text = "sk-test-ünïcödé-🔑-0123456789";

    let rust_token = both.encrypt(text);
    let under_old = old_only.encrypt("sk-test-rotated");
    let rotated = both.rotate(&under_old).unwrap();

    let answer = run_python(
        &python,
        &json!({
            "new": new, "old": old, "text": text,
            "rust_token": rust_token, "rotated": rotated,
        }),
    );
    let field = |name: &str| answer[name].as_str().unwrap().to_owned();
    // (a) Python encrypts, Rust decrypts (first and second key of the list).
    assert_eq!(both.decrypt(&field("python_multi")).unwrap().expose(), text);
    assert_eq!(
        new_only.decrypt(&field("python_multi")).unwrap().expose(),
        text
    );
    assert_eq!(both.decrypt(&field("python_old")).unwrap().expose(), text);
    assert_eq!(
        new_only.decrypt(&field("python_old")).unwrap_err(),
        CipherError::UndecryptableToken
    );
    // (b) Rust encrypts, Python decrypts.
    assert_eq!(field("rust_plain"), text);
    // (c) Rotated in Rust to [new, old]: Python opens it with the new key only.
    assert_eq!(field("rotated_plain"), "sk-test-rotated");
    assert_eq!(answer["rotated_opens_with_old"], json!(false));
}
