//! The whole HTTP API under property-based tests: schemathesis generates valid and invalid
//! requests for every operation of `docs/openapi.yaml`, sends them to a real hub and checks every
//! answer against the document (`hub_tests::schemathesis` has the setup and the checks).
//!
//! `every_operation_conforms_under_generated_requests` is the bounded run of `scripts/test.sh`:
//! a fixed seed, deterministic generation, a few examples per operation, one pass. `fuzz_api`
//! is the long profile (`scripts/fuzz-api.sh`), ignored here.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use hub_tests::schemathesis::{Account, Operations, Profile, Report, Target, run};
use hub_tests::{Hub, workspace_root};

const ADMIN_EMAIL: &str = "fuzz-admin@example.com";
const ADMIN_PASSWORD: &str = "fuzz admin password";

/// A hub whose test user is an admin (so that `register` with a token creates accounts), and
/// that user's seeded target.
async fn admin_hub() -> (Hub, Target) {
    let hub = Hub::spawn(|o| {
        o.variable("bootstrap_admin_email", ADMIN_EMAIL)
            .variable("bootstrap_admin_password", ADMIN_PASSWORD)
    })
    .await;
    let target = Target::seed(&hub.url(""), Account::Login(ADMIN_EMAIL, ADMIN_PASSWORD), 2).await;
    (hub, target)
}

/// Runs `profile` on a blocking thread, prints the summary, and fails with the whole report
/// unless the run passed every check on every operation, left the test user logged in, and
/// (unless it covered only the admin API) reached real chats.
async fn run_and_check(target: &Target, profile: Profile) -> Report {
    let operations = profile.operations;
    let dir = profile.report_dir.clone();
    let report = {
        let target = target.clone();
        tokio::task::spawn_blocking(move || run(&target, &profile))
            .await
            .expect("the schemathesis run")
    };
    let summary = report.summary();
    println!("{summary} (reports in {})", dir.display());
    let explain = || format!("{}\n{summary}\nreports in {}", report.output, dir.display());
    assert!(report.success, "schemathesis failed:\n{}", explain());
    let (total, tested) = report.operations();
    assert!(
        total > 0 && tested == total,
        "not every operation was tested:\n{}",
        explain()
    );
    assert!(report.test_cases() > 0, "no test case ran:\n{}", explain());
    assert!(
        target.still_authenticated().await,
        "a request of the run ended the test user's session:\n{}",
        explain()
    );
    assert!(
        operations == Operations::Admin || target.seeded_messages().await > 0,
        "no generated message reached a seeded chat:\n{}",
        explain()
    );
    report
}

#[tokio::test]
async fn every_operation_conforms_under_generated_requests() {
    let (_hub, target) = admin_hub().await;
    // The users' API first, then the admin API on the same hub: every operation is covered,
    // and admin requests (which may disable every model the messages name) come after the
    // messages that must reach the seeded chats.
    for (operations, dir) in [
        (Operations::Users, "tests/output/schemathesis"),
        (Operations::Admin, "tests/output/schemathesis-admin"),
    ] {
        let profile = Profile {
            max_examples: 50,
            seed: 20_261_203,
            deterministic: true,
            phases: "examples,coverage,fuzzing",
            max_time_secs: None,
            workers: 1,
            report_dir: workspace_root().join(dir),
            deadline: Duration::from_secs(240),
            operations,
        };
        run_and_check(&target, profile).await;
    }
}

/// `name` from the environment, parsed, or `default`.
fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) if !text.is_empty() => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not valid")),
        _ => default,
    }
}

/// The long profile (`scripts/fuzz-api.sh` sets the variables): every phase, stateful
/// included, `HUB_FUZZ_EXAMPLES` per operation, until `HUB_FUZZ_MAX_TIME` seconds are spent,
/// seed `HUB_FUZZ_SEED`; against `HUB_FUZZ_URL` (a running hub: a new user registers, or
/// `HUB_FUZZ_EMAIL` / `HUB_FUZZ_PASSWORD` log in) or a freshly spawned one. Reports go to
/// `HUB_FUZZ_REPORT_DIR`.
#[tokio::test]
#[ignore = "the long profile: run by scripts/fuzz-api.sh"]
async fn fuzz_api() {
    let seed = setting("HUB_FUZZ_SEED", 0u64);
    let max_time: u64 = setting("HUB_FUZZ_MAX_TIME", 600);
    let profile = Profile {
        max_examples: setting("HUB_FUZZ_EXAMPLES", 200),
        seed,
        deterministic: false,
        phases: "examples,coverage,fuzzing,stateful",
        max_time_secs: Some(max_time),
        workers: setting("HUB_FUZZ_WORKERS", 2),
        report_dir: setting(
            "HUB_FUZZ_REPORT_DIR",
            workspace_root().join(".data/fuzz-api/latest"),
        ),
        operations: Operations::All,
        // The run stops itself at its time budget; the rest is for the last requests and the
        // reports.
        deadline: Duration::from_secs(max_time + 300),
    };
    let url: String = setting("HUB_FUZZ_URL", String::new());
    if url.is_empty() {
        let (_hub, target) = admin_hub().await;
        run_and_check(&target, profile).await;
    } else {
        let email: String = setting("HUB_FUZZ_EMAIL", String::new());
        let password: String = setting("HUB_FUZZ_PASSWORD", String::new());
        let generated = format!("fuzz-{}@example.com", uuid::Uuid::new_v4().simple());
        let account = if email.is_empty() {
            Account::Register(&generated, ADMIN_PASSWORD)
        } else {
            Account::Login(&email, &password)
        };
        let target = Target::seed(&url, account, 2).await;
        run_and_check(&target, profile).await;
    }
}
