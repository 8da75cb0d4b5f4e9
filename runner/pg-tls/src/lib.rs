//! TLS for outbound Postgres connections made with tokio-postgres, decided from the connection
//! string's `sslmode` exactly as Spin's outbound Postgres decides it. A native host of Spin apps
//! and its tools connect through [`connector_for`] / [`connect`], so that a host's
//! `spin:postgres` connections, its migration command and any other native tool make the same
//! decision from the same connection string. The crate knows nothing of any schema.
//!
//! # What Spin 4.0.x does (`spin-factor-outbound-pg`, `client.rs`)
//!
//! * `sslmode=disable`: tokio-postgres with `NoTls`, plain TCP.
//! * anything else, i.e. `prefer` (tokio-postgres' default) and `require`: tokio-postgres with a
//!   `postgres-native-tls` connector built from `native_tls::TlsConnector::builder()` with its
//!   defaults, so the server certificate **is verified**: the chain against the system's trusted
//!   roots (OpenSSL's default paths on Linux, which honour `SSL_CERT_FILE` / `SSL_CERT_DIR`)
//!   and the name against the connection string's `host` (DNS name or IP address). There is
//!   no "encrypt but don't verify" mode (a pull request adding one for `require`,
//!   spinframework/spin#3148, was not merged). From `spin:postgres@4.1.0` on, a guest can add
//!   one PEM root with `connection-builder.set-ca-root`; the `@4.0.0` interface has no
//!   builder, and Spin has no host setting of its own for extra roots (a runtime
//!   config `[postgres] root_certificates`, spinframework/spin#3366, was closed unmerged).
//! * tokio-postgres then negotiates: `prefer` sends an SSLRequest and continues in plain text
//!   only if the server *declines* TLS (`ssl=off`); if the server accepts, the handshake must
//!   succeed, so a server with an untrusted certificate fails even under `prefer` (unlike
//!   libpq, whose `prefer`/`require` never verify). `require` fails when the server declines
//!   ("server does not support TLS"). A connection string without a `host` name (only
//!   `hostaddr`) cannot do TLS ("no hostname provided for TLS handshake").
//!   `verify-ca` / `verify-full` are not accepted by tokio-postgres ("invalid connection
//!   string").
//!
//! # What this crate does
//!
//! The same decision, with rustls instead of native-tls/OpenSSL:
//! `tokio-postgres-rustls` on rustls' ring provider (the crypto backend wasmtime-wasi-http
//! already brings into a wasmtime-based host), roots from the system store via `rustls-native-certs`
//! (`/etc/ssl/certs` on Debian; `SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured, as OpenSSL
//! does for Spin), chain and host name verified, TLS 1.2 and 1.3. Roots are read once per
//! process, when the first TLS-capable connection string is used.
//!
//! To trust a private CA (a self-hosted server, or Supabase's own CA when its certificate is
//! not publicly trusted), point `SSL_CERT_FILE` at a PEM file holding it. Unlike OpenSSL, which
//! keeps searching its default directory, rustls-native-certs then reads *only* the files the
//! variables name: put the CA in a bundle with the system roots, or also set
//! `SSL_CERT_DIR=/etc/ssl/certs`, to keep trusting public CAs.
//!
//! Differences from Spin that remain: error texts of failed handshakes are rustls' (e.g.
//! "invalid peer certificate: UnknownIssuer" where OpenSSL says "certificate verify failed"),
//! rustls rejects a CA certificate used directly as the server certificate
//! (`CaUsedAsEndEntity`) and TLS below 1.2, and OpenSSL-only trust settings do not apply.
#![deny(missing_docs)]

use std::sync::{Arc, OnceLock};

use rustls::{ClientConfig, RootCertStore};
use tokio::task::JoinHandle;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How to reach the server, chosen from the connection string's `sslmode` as Spin chooses.
#[derive(Clone)]
pub enum PgConnector {
    /// `sslmode=disable`: no TLS negotiation at all.
    Plain,
    /// `prefer` / `require`: TLS when the server offers it (`prefer`) or always (`require`),
    /// with the server certificate verified.
    Tls(MakeRustlsConnect),
}

impl std::fmt::Debug for PgConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PgConnector::Plain => "PgConnector::Plain",
            PgConnector::Tls(_) => "PgConnector::Tls",
        })
    }
}

/// Whether Spin would use a TLS connector for `config`: everything but `sslmode=disable`.
pub fn wants_tls(config: &Config) -> bool {
    config.get_ssl_mode() != SslMode::Disable
}

/// The connector for `config`; the TLS one verifies against the system's roots (see the
/// module docs). Fails only if the TLS client configuration cannot be built.
pub fn connector_for(config: &Config) -> Result<PgConnector, rustls::Error> {
    connector_with_roots(config, system_roots)
}

/// [`connector_for`] with the trusted roots given by `roots` (called only when TLS is wanted).
fn connector_with_roots(
    config: &Config,
    roots: impl FnOnce() -> RootCertStore,
) -> Result<PgConnector, rustls::Error> {
    if !wants_tls(config) {
        return Ok(PgConnector::Plain);
    }
    Ok(PgConnector::Tls(MakeRustlsConnect::new(client_config(
        roots(),
    )?)))
}

/// One connection as [`connector_for`] decides. Its I/O runs in the returned task, which
/// ends (after a clean `Terminate` and, with TLS, `close_notify`) once the client is dropped:
/// await it before exiting so the server sees an orderly close. Call it within a tokio runtime
/// (the task is spawned on it).
pub async fn connect(config: &Config) -> anyhow::Result<(Client, JoinHandle<()>)> {
    connect_using(config, connector_for(config)?).await
}

async fn connect_using(
    config: &Config,
    connector: PgConnector,
) -> anyhow::Result<(Client, JoinHandle<()>)> {
    fn drive<F>(connection: F) -> JoinHandle<()>
    where
        F: std::future::Future<Output = Result<(), tokio_postgres::Error>> + Send + 'static,
    {
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "Postgres connection closed");
            }
        })
    }
    Ok(match connector {
        PgConnector::Plain => {
            let (client, connection) = config.connect(NoTls).await?;
            (client, drive(connection))
        }
        PgConnector::Tls(tls) => {
            let (client, connection) = config.connect(tls).await?;
            (client, drive(connection))
        }
    })
}

/// A rustls client configuration on the ring provider trusting `roots`.
fn client_config(roots: RootCertStore) -> Result<ClientConfig, rustls::Error> {
    Ok(
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// The system's trusted roots (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set), read once per
/// process.
fn system_roots() -> RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(load_system_roots).clone()
}

/// Reads the system's trusted roots. Problems are logged, not fatal: with no roots every TLS
/// handshake fails verification, as it would under Spin on a machine without a CA bundle,
/// while `prefer` against a server without TLS still works.
fn load_system_roots() -> RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "reading trusted root certificates for Postgres TLS");
    }
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        tracing::warn!(
            "no trusted root certificates found (system store, SSL_CERT_FILE, SSL_CERT_DIR): \
             TLS connections to Postgres will fail certificate verification"
        );
    } else {
        tracing::debug!(added, ignored, "trusted root certificates for Postgres TLS");
    }
    roots
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    //! The decision is checked on parsed connection strings; the negotiation end to end
    //! against a stand-in server that declines TLS or accepts it with a certificate issued by
    //! a test CA (EC P-256, valid 2000-2100, for `localhost` and `127.0.0.1`).

    use std::sync::Mutex;
    use std::time::Duration;

    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBbzCCARSgAwIBAgICEAAwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSaHViLXJ1
bm5lciB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAd
MRswGQYDVQQDDBJodWItcnVubmVyIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATt/o9ZQKXLzIQCZb47LUj5i507265zjIrJOVFu+hgrU4bCp8hXwK+5
I87YnqQWyjS/53dkX+j7WUWX3Y3CJ/3Ao0IwQDAPBgNVHRMBAf8EBTADAQH/MA4G
A1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUpurKqwSYtR5BhLoeI0pl5hgdTn8wCgYI
KoZIzj0EAwIDSQAwRgIhAIW3fhEkssBqkUH2vD836eJ0mxeu2K2JK+2jm5On1z0z
AiEArVVwVetKnTYxk1GzDoTTEM4NKPQq1fsCYiD90ZuWx8M=
-----END CERTIFICATE-----
";
    const SERVER_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBtTCCAVygAwIBAgICEAEwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSaHViLXJ1
bm5lciB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAU
MRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQu
ygHMsigyG7NhVFWLWB7KgFULRKC4yxJsq5ThrS73XQlqFBPBiULxRwVBGziZ5QsC
fVX71xdvIYms45srC26go4GSMIGPMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQD
AgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcE
fwAAATAfBgNVHSMEGDAWgBSm6sqrBJi1HkGEuh4jSmXmGB1OfzAdBgNVHQ4EFgQU
kVUVudeMJ171DJVTrh9xM//EqtgwCgYIKoZIzj0EAwIDRwAwRAIgdU1Y0Ld7pHFK
fiBcx5P1qebMekkyjkUQ/ZaPXWOxNv0CIHVSxLXOmHQeR9n9zAy/YJOQR0P1GOlC
sNd6AXTeMcv6
-----END CERTIFICATE-----
";
    const SERVER_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdRgqV2JrKeDC52/y
rFsxmpE5lZvUdMCBrI96cd8+7LehRANCAAQuygHMsigyG7NhVFWLWB7KgFULRKC4
yxJsq5ThrS73XQlqFBPBiULxRwVBGziZ5QsCfVX71xdvIYms45srC26g
-----END PRIVATE KEY-----
";

    /// Protocol code of the SSLRequest message.
    const SSL_REQUEST: i32 = 80_877_103;

    fn config(url: &str) -> Config {
        url.parse().unwrap()
    }

    fn test_ca_roots() -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(TEST_CA.as_bytes()).unwrap())
            .unwrap();
        roots
    }

    #[test]
    fn only_sslmode_disable_is_plain() {
        assert!(!wants_tls(&config("postgres://u:p@h/db?sslmode=disable")));
        assert!(wants_tls(&config("postgres://u:p@h/db?sslmode=prefer")));
        assert!(wants_tls(&config("postgres://u:p@h/db?sslmode=require")));
        // tokio-postgres' default is prefer, in both forms of connection string.
        assert!(wants_tls(&config("postgres://u:p@h/db")));
        assert!(wants_tls(&config("host=h user=u")));
        assert!(!wants_tls(&config("host=h user=u sslmode=disable")));
        // The modes tokio-postgres does not know are refused when parsing, as under Spin.
        for mode in ["verify-ca", "verify-full", "allow", "REQUIRE"] {
            assert!(
                format!("postgres://u:p@h/db?sslmode={mode}")
                    .parse::<Config>()
                    .is_err(),
                "{mode}"
            );
        }
    }

    #[test]
    fn the_connector_follows_the_mode_and_reads_roots_only_for_tls() {
        let plain = connector_with_roots(&config("host=h sslmode=disable"), || {
            panic!("roots read for sslmode=disable")
        })
        .unwrap();
        assert!(matches!(plain, PgConnector::Plain), "{plain:?}");
        for url in ["host=h", "host=h sslmode=prefer", "host=h sslmode=require"] {
            let tls = connector_with_roots(&config(url), RootCertStore::empty).unwrap();
            assert!(matches!(tls, PgConnector::Tls(_)), "{url}: {tls:?}");
        }
        // The real thing, on the system's roots.
        assert!(matches!(
            connector_for(&config("host=h sslmode=require")).unwrap(),
            PgConnector::Tls(_)
        ));
        assert!(matches!(
            connector_for(&config("host=h sslmode=disable")).unwrap(),
            PgConnector::Plain
        ));
    }

    #[test]
    fn the_system_store_has_roots() {
        // /etc/ssl/certs (ca-certificates) is present wherever this is built and run.
        assert!(!system_roots().is_empty());
    }

    /// What the stand-in server saw on its (single) connection.
    #[derive(Debug, Default)]
    struct Seen {
        ssl_requests: usize,
        tls: bool,
        server_name: Option<String>,
        user: Option<String>,
        handshake_error: Option<String>,
    }

    async fn read_untagged<S: AsyncRead + Unpin>(socket: &mut S) -> Vec<u8> {
        let len = socket.read_i32().await.unwrap();
        let mut body = vec![0u8; usize::try_from(len - 4).unwrap()];
        socket.read_exact(&mut body).await.unwrap();
        body
    }

    fn startup_user(startup: &[u8]) -> Option<String> {
        let mut parts = startup[4..].split(|b| *b == 0);
        while let Some(key) = parts.next() {
            let value = parts.next()?;
            if key == b"user" {
                return Some(String::from_utf8_lossy(value).into_owned());
            }
        }
        None
    }

    /// Answers the startup with AuthenticationOk, BackendKeyData and ReadyForQuery, then reads
    /// until the client goes away.
    async fn finish<S: AsyncRead + AsyncWrite + Unpin>(
        mut socket: S,
        startup: &[u8],
        seen: &Mutex<Seen>,
    ) {
        assert_eq!(
            i32::from_be_bytes(startup[..4].try_into().unwrap()),
            196_608
        );
        seen.lock().unwrap().user = startup_user(startup);
        let mut out = Vec::new();
        for (tag, body) in [
            (b'R', &0i32.to_be_bytes()[..]),
            (b'K', &[0, 0, 0, 1, 0, 0, 0, 2][..]),
            (b'Z', &b"I"[..]),
        ] {
            out.push(tag);
            out.extend_from_slice(&i32::try_from(body.len() + 4).unwrap().to_be_bytes());
            out.extend_from_slice(body);
        }
        socket.write_all(&out).await.unwrap();
        socket.flush().await.unwrap();
        let mut sink = [0u8; 256];
        while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
    }

    /// A one-connection Postgres stand-in on 127.0.0.1 that declines TLS or accepts
    /// it with the test server certificate.
    async fn stand_in(accept_tls: bool) -> (u16, Arc<Mutex<Seen>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let seen2 = seen.clone();
        let acceptor = accept_tls.then(|| {
            let certs = vec![CertificateDer::from_pem_slice(SERVER_CERT.as_bytes()).unwrap()];
            let key = PrivateKeyDer::from_pem_slice(SERVER_KEY.as_bytes()).unwrap();
            let server = rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
            tokio_rustls::TlsAcceptor::from(Arc::new(server))
        });
        tokio::spawn(async move {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let first = read_untagged(&mut socket).await;
            if i32::from_be_bytes(first[..4].try_into().unwrap()) != SSL_REQUEST {
                return finish(socket, &first, &seen2).await;
            }
            seen2.lock().unwrap().ssl_requests += 1;
            let Some(acceptor) = acceptor else {
                socket.write_all(b"N").await.unwrap();
                let startup = read_untagged(&mut socket).await;
                return finish(socket, &startup, &seen2).await;
            };
            socket.write_all(b"S").await.unwrap();
            match acceptor.accept(socket).await {
                Ok(mut tls) => {
                    {
                        let mut seen = seen2.lock().unwrap();
                        seen.tls = true;
                        seen.server_name = tls.get_ref().1.server_name().map(str::to_owned);
                    }
                    let startup = read_untagged(&mut tls).await;
                    finish(tls, &startup, &seen2).await;
                }
                Err(e) => seen2.lock().unwrap().handshake_error = Some(e.to_string()),
            }
        });
        (port, seen)
    }

    /// Connects as [`connect`] does, trusting `roots`; the error as `{:#}`.
    async fn try_connect(url: &str, roots: RootCertStore) -> Result<Client, String> {
        let config = config(url);
        let connector = connector_with_roots(&config, || roots).unwrap();
        tokio::time::timeout(Duration::from_secs(20), connect_using(&config, connector))
            .await
            .expect("connect timed out")
            .map(|(client, _connection)| client)
            .map_err(|e| format!("{e:#}"))
    }

    #[tokio::test]
    async fn disable_sends_no_ssl_request() {
        let (port, seen) = stand_in(true).await;
        let client = try_connect(
            &format!("postgres://app:pw@localhost:{port}/hub?sslmode=disable"),
            test_ca_roots(),
        )
        .await
        .unwrap();
        drop(client);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.ssl_requests, 0);
        assert!(!seen.tls);
        assert_eq!(seen.user.as_deref(), Some("app"));
    }

    #[tokio::test]
    async fn prefer_falls_back_to_plain_only_when_the_server_declines() {
        let (port, seen) = stand_in(false).await;
        // No sslmode: prefer.
        try_connect(
            &format!("postgres://app:pw@localhost:{port}/hub"),
            RootCertStore::empty(),
        )
        .await
        .unwrap();
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.ssl_requests, 1);
            assert!(!seen.tls);
            assert_eq!(seen.user.as_deref(), Some("app"));
        }

        // A server that accepts TLS with a certificate we do not trust: an error, not a
        // fallback (Spin's native-tls connector verifies under prefer too).
        let (port, seen) = stand_in(true).await;
        let err = try_connect(
            &format!("postgres://app:pw@localhost:{port}/hub?sslmode=prefer"),
            RootCertStore::empty(),
        )
        .await
        .err()
        .unwrap();
        assert!(err.contains("error performing TLS handshake"), "{err}");
        assert!(err.contains("UnknownIssuer"), "{err}");
        assert!(seen.lock().unwrap().user.is_none());

        // ... and when it is trusted, prefer uses TLS.
        let (port, seen) = stand_in(true).await;
        try_connect(
            &format!("postgres://app:pw@localhost:{port}/hub"),
            test_ca_roots(),
        )
        .await
        .unwrap();
        assert!(seen.lock().unwrap().tls);
    }

    #[tokio::test]
    async fn require_needs_tls_from_the_server() {
        let (port, seen) = stand_in(false).await;
        let err = try_connect(
            &format!("postgres://app:s3cret@localhost:{port}/hub?sslmode=require"),
            test_ca_roots(),
        )
        .await
        .err()
        .unwrap();
        assert!(err.contains("server does not support TLS"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        assert!(seen.lock().unwrap().user.is_none());
    }

    #[tokio::test]
    async fn require_verifies_the_chain_and_the_host_name() {
        // Trusted CA, name in the certificate: TLS, with SNI for a DNS name.
        let (port, seen) = stand_in(true).await;
        let client = try_connect(
            &format!("postgres://app:pw@localhost:{port}/hub?sslmode=require"),
            test_ca_roots(),
        )
        .await
        .unwrap();
        assert!(!client.is_closed());
        {
            let seen = seen.lock().unwrap();
            assert!(seen.tls);
            assert_eq!(seen.server_name.as_deref(), Some("localhost"));
            assert_eq!(seen.user.as_deref(), Some("app"));
        }

        // An IP address is checked against the certificate's IP names.
        let (port, seen) = stand_in(true).await;
        try_connect(
            &format!("host=127.0.0.1 port={port} user=app sslmode=require"),
            test_ca_roots(),
        )
        .await
        .unwrap();
        assert!(seen.lock().unwrap().tls);

        // Untrusted issuer (the system roots do not know the test CA).
        let (port, seen) = stand_in(true).await;
        let err = try_connect(
            &format!("postgres://app:pw@localhost:{port}/hub?sslmode=require"),
            system_roots(),
        )
        .await
        .err()
        .unwrap();
        assert!(
            err.contains("invalid peer certificate: UnknownIssuer"),
            "{err}"
        );
        assert!(seen.lock().unwrap().user.is_none());

        // Trusted issuer, wrong name: `host` names the server, `hostaddr` is where we connect.
        let (port, seen) = stand_in(true).await;
        let err = try_connect(
            &format!("host=db.example.com hostaddr=127.0.0.1 port={port} user=app sslmode=require"),
            test_ca_roots(),
        )
        .await
        .err()
        .unwrap();
        assert!(
            err.contains("certificate not valid for name \"db.example.com\""),
            "{err}"
        );
        assert!(seen.lock().unwrap().user.is_none());

        // No host name at all: tokio-postgres refuses to start TLS.
        let (port, _seen) = stand_in(true).await;
        let err = try_connect(
            &format!("hostaddr=127.0.0.1 port={port} user=app sslmode=require"),
            test_ca_roots(),
        )
        .await
        .err()
        .unwrap();
        assert!(
            err.contains("no hostname provided for TLS handshake"),
            "{err}"
        );
    }
}
