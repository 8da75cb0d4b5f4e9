//! Browser tests: the web app in Debian's chromium (driven by playwright-core from
//! `static/tests/*.test.mjs` under `node --test`) against the real hub with fake LLM providers.
//!
//! Each test starts its own hub and runs one test file with `HUB_URL` pointing at it; the
//! files save a screenshot of every screen under `tests/output/screenshots/`. The tests run one
//! at a time: a browser and the hub share the machine's cores with the other test binaries.
//!
//! Prerequisites (`scripts/test.sh` sees to them): `npm ci` in `static/`, the app built into
//! `static/site/` (`scripts/build.sh`), and chromium at `/usr/bin/chromium` (or `CHROMIUM_PATH`).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use hub_tests::{Hub, workspace_root};
use tokio::sync::Mutex;

/// One browser test at a time.
static SERIAL: Mutex<()> = Mutex::const_new(());

/// How long one test file may take before it counts as hung.
const FILE_TIMEOUT: Duration = Duration::from_secs(300);

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM_PATH")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Runs `static/tests/<file>` (against `hub`, when given) and fails with node's output when
/// it fails or runs no test.
async fn run_browser_test(hub: Option<&Hub>, file: &str) {
    let root = workspace_root();
    let static_dir = root.join("static");
    assert!(
        static_dir.join("node_modules/playwright-core").is_dir(),
        "static/node_modules is missing: run scripts/setup.sh (npm ci in static/)"
    );
    assert!(
        static_dir.join("site/index.html").is_file(),
        "static/site/index.html is missing: build the app with scripts/build.sh (npm run build in static/)"
    );
    assert!(
        chromium().is_file(),
        "{} is missing: HUB_SETUP_BROWSER=1 scripts/setup.sh installs Debian's chromium (or set CHROMIUM_PATH)",
        chromium().display()
    );
    let screenshots = root.join("tests/output/screenshots");
    let mut command = tokio::process::Command::new("node");
    command
        .args(["--test", "--test-reporter=spec"])
        .arg(format!("tests/{file}"))
        .current_dir(&static_dir)
        .env("SCREENSHOT_DIR", &screenshots)
        .env("CHROMIUM_PATH", chromium())
        .kill_on_drop(true);
    if let Some(hub) = hub {
        command.env("HUB_URL", hub.url("/"));
    }
    let output = tokio::time::timeout(FILE_TIMEOUT, command.output())
        .await
        .unwrap_or_else(|_| panic!("{file} did not finish within {FILE_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("running node for {file}: {e} (is Node.js installed?)"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test {file} failed ({}); screenshots in {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        output.status,
        screenshots.display()
    );
    // A file whose tests were all skipped or filtered out proves nothing.
    let passed = stdout
        .lines()
        .find_map(|line| {
            line.trim_start_matches(['ℹ', '#', ' '])
                .strip_prefix("pass ")
        })
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(0);
    assert!(passed > 0, "browser test {file} passed no test:\n{stdout}");
}

#[tokio::test]
async fn markdown_renders_and_sanitises_in_the_browser() {
    let _serial = SERIAL.lock().await;
    run_browser_test(None, "markdown.test.mjs").await;
}

#[tokio::test]
async fn register_login_stream_title_reload_rename_delete() {
    let _serial = SERIAL.lock().await;
    let hub = Hub::spawn(|o| o).await;
    run_browser_test(Some(&hub), "chat-flow.test.mjs").await;
}

#[tokio::test]
async fn german_ui_and_xss_in_an_answer_stays_text() {
    let _serial = SERIAL.lock().await;
    let hub = Hub::spawn(|o| o).await;
    run_browser_test(Some(&hub), "xss-german.test.mjs").await;
}

#[tokio::test]
async fn two_tabs_refresh_an_expired_token_once() {
    let _serial = SERIAL.lock().await;
    let hub = Hub::spawn(|o| o).await;
    run_browser_test(Some(&hub), "tabs.test.mjs").await;
}

#[tokio::test]
async fn provider_error_is_shown_and_retry_answers() {
    let _serial = SERIAL.lock().await;
    let hub = Hub::spawn(|o| o).await;
    run_browser_test(Some(&hub), "error-retry.test.mjs").await;
}

#[tokio::test]
async fn admin_console_users_models_audit_and_forced_password_change() {
    let _serial = SERIAL.lock().await;
    let hub = hub_with_admin().await;
    run_browser_test(Some(&hub), "admin.test.mjs").await;
}

/// A hub whose bootstrap admin is the one the test files log in as (static/tests/helpers.mjs:
/// ADMIN_EMAIL, ADMIN_PASSWORD); its master key is the tests' (`Hub::spawn`).
async fn hub_with_admin() -> Hub {
    Hub::spawn(|o| {
        o.variable("bootstrap_admin_email", "admin@example.com")
            .variable("bootstrap_admin_password", "correct-horse-battery")
    })
    .await
}

#[tokio::test]
async fn providers_tab_sets_tests_and_deletes_keys() {
    let _serial = SERIAL.lock().await;
    let hub = hub_with_admin().await;
    run_browser_test(Some(&hub), "providers.test.mjs").await;
}

#[tokio::test]
async fn assistants_and_templates_are_made_used_and_managed_in_the_browser() {
    let _serial = SERIAL.lock().await;
    let hub = hub_with_admin().await;
    run_browser_test(Some(&hub), "assistants.test.mjs").await;
}

#[tokio::test]
async fn empty_model_list_points_admins_to_the_console_and_users_to_an_admin() {
    let _serial = SERIAL.lock().await;
    let hub = hub_with_admin().await;
    hub.execute("UPDATE app_model_config SET is_default = false, enabled = false")
        .await;
    run_browser_test(Some(&hub), "no-models.test.mjs").await;
}

#[tokio::test]
async fn knowledge_is_uploaded_searched_attached_and_cited_in_the_browser() {
    let _serial = SERIAL.lock().await;
    let hub = hub_with_admin().await;
    run_browser_test(Some(&hub), "knowledge.test.mjs").await;
}
