//! The hub itself under test: the project's `spin.toml` with its real components, on a fresh
//! database with every migration applied, every LLM provider pointed at [`FakeProviders`].

use std::process::Command;

use hub_providers::ProviderKind;

use crate::{
    App, AppOptions, Cluster, FakeProviders, TestDb, runner_binary, spawn_app, workspace_root,
};

/// The JWT secret the tests start the hub with (tests forge tokens with it).
pub const TEST_JWT_SECRET: &str = "test-only-jwt-secret-0123456789abcdef-0123456789abcdef";

/// The bearer token of the background step (`tick_secret`) the tests start the hub with; the
/// tests call `POST /api/knowledge/tick` themselves ([`Hub::tick`]) rather than run a timer.
pub const TEST_TICK_SECRET: &str = "test-only-tick-secret-0123456789abcdef";

/// The master key of the provider keys the tests start the hub with (`provider_keys_master_key`:
/// a Fernet key, the bytes 0 to 31).
pub const TEST_MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The project's own `spin.toml`, its relative paths made absolute so that it can be started
/// from a temporary folder.
pub fn hub_manifest() -> String {
    let root = workspace_root();
    let text = std::fs::read_to_string(root.join("spin.toml")).expect("reading spin.toml");
    text.replace(
        "source = \"target/",
        &format!("source = \"{}/target/", target_parent().display()),
    )
    .replace(
        "source = \"static/",
        &format!("source = \"{}/static/", root.display()),
    )
}

/// The folder that holds `target/` (the workspace root unless `CARGO_TARGET_DIR` moves it).
fn target_parent() -> std::path::PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = std::path::PathBuf::from(dir);
            let dir = if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            };
            dir.parent().map(std::path::PathBuf::from).unwrap_or(dir)
        }
        None => workspace_root(),
    }
}

/// The model the tests use for each provider kind ([`Hub::enable_all_models`] makes every one
/// usable).
pub fn model_of(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAi => "gpt-4o-mini",
        ProviderKind::Anthropic => "claude-sonnet-4-5",
        ProviderKind::Gemini => "gemini-2.5-flash",
        ProviderKind::Mistral => "mistral-small-latest",
        ProviderKind::XAi => "grok-3-mini",
        ProviderKind::AzureOpenAi => "azure-gpt-4o",
        ProviderKind::OpenAiCompatible => "llama-3.1-8b",
    }
}

/// Applies `migrations/` with `hub-runner migrate`.
pub fn migrate(db_url: &str) {
    let out = Command::new(runner_binary())
        .args(["migrate", "--dir"])
        .arg(workspace_root().join("migrations"))
        .env("SPIN_VARIABLE_DB_URL", db_url)
        .output()
        .expect("running hub-runner migrate");
    assert!(
        out.status.success(),
        "migrate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running hub on its own migrated database, with fake providers. The app stops before the
/// database is dropped, and the database before its private cluster (if it has one) stops.
#[derive(Debug)]
pub struct Hub {
    /// The runner serving `spin.toml`.
    pub app: App,
    /// Its database.
    pub db: TestDb,
    /// The LLM providers every provider's base URL points at.
    pub providers: FakeProviders,
    /// The cluster of its own ([`Hub::spawn_private`]), `None` on the shared test cluster.
    pub cluster: Option<Cluster>,
}

impl Hub {
    /// Starts the hub with `db_url`, `db_host`, `jwt_secret` ([`TEST_JWT_SECRET`]) and
    /// `provider_keys_master_key` ([`TEST_MASTER_KEY`]) set,
    /// and every provider's base URL and key set to [`FakeProviders`] (allowed as
    /// `llm_extra_host`); `configure` may add or replace variables (`registration`,
    /// `bootstrap_admin_*`, `sse_keepalive_secs`, ...).
    pub async fn spawn(configure: impl FnOnce(AppOptions) -> AppOptions) -> Self {
        let db = TestDb::create().await;
        Self::spawn_on(db, None, configure)
    }

    /// [`Hub::spawn`] on a [`Cluster`] of its own, for tests that stop and start the database
    /// ([`Hub::cluster`]).
    pub async fn spawn_private(configure: impl FnOnce(AppOptions) -> AppOptions) -> Self {
        let cluster = Cluster::start();
        let db = TestDb::create_on(&cluster.url("postgres")).await;
        Self::spawn_on(db, Some(cluster), configure)
    }

    fn spawn_on(
        db: TestDb,
        cluster: Option<Cluster>,
        configure: impl FnOnce(AppOptions) -> AppOptions,
    ) -> Self {
        migrate(&db.url());
        let providers = FakeProviders::start();
        let mut options = AppOptions::new(hub_manifest())
            .variable("db_url", db.url())
            .variable("db_host", db.host())
            .variable("jwt_secret", TEST_JWT_SECRET)
            .variable("provider_keys_master_key", TEST_MASTER_KEY)
            .variable("tick_secret", TEST_TICK_SECRET)
            .variable("llm_extra_host", format!("http://{}", providers.addr()));
        for kind in ProviderKind::ALL {
            options = options
                .variable(
                    &format!("{}_base_url", kind.as_str()),
                    providers.base_url(kind),
                )
                .variable(kind.key_variable(), providers.key());
        }
        let app = spawn_app(configure(options));
        Self {
            app,
            db,
            providers,
            cluster,
        }
    }

    /// Makes [`model_of`] every provider kind usable: Azure's model enabled with the fixture's
    /// deployment, an OpenAI-compatible model added.
    pub async fn enable_all_models(&self) {
        self.execute(
            "UPDATE app_model_config SET enabled = true, azure_deployment = 'hub-gpt-5-mini' \
             WHERE model_id = 'azure-gpt-4o'; \
             INSERT INTO app_model_config (model_id, provider, display_name, \
             input_price_per_million, output_price_per_million) \
             VALUES ('llama-3.1-8b', 'openai_compatible', 'Llama 3.1 8B (local)', 0.05, 0.08)",
        )
        .await;
    }

    /// The cluster of a hub started with [`Hub::spawn_private`].
    pub fn cluster(&self) -> &Cluster {
        self.cluster
            .as_ref()
            .expect("a hub started with Hub::spawn_private")
    }

    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        self.app.url(path)
    }
}
