//! Connection strings: parsing and the `allowed_outbound_hosts` check done before connecting.

use tokio_postgres::Config;
use tokio_postgres::config::Host;

use crate::bindings::spin::postgres::postgres::Error;

/// Port used when the connection string names none.
pub(crate) const DEFAULT_PORT: u16 = 5432;

/// Parses `address` (URL or key=value form) and checks every host it would connect to against
/// `allow(host, port)`. Errors are `connection-failed` with Spin's texts; none of them contains
/// the password (or anything of the address beyond a host and port).
pub(crate) fn check_address(
    address: &str,
    allow: &dyn Fn(&str, u16) -> bool,
) -> Result<Config, Error> {
    let config = address.parse::<Config>().map_err(|e| {
        // Spin reports only the error's Display ("invalid connection string"); the cause names
        // the offending option, never a value, so it is safe to log.
        tracing::debug!(cause = ?std::error::Error::source(&e).map(|c| c.to_string()), "invalid Postgres connection string");
        Error::ConnectionFailed(e.to_string())
    })?;

    let ports = config.get_ports();
    // As Spin: the port at the host's index, else the only port if there is exactly one.
    let port_for = |i: usize| {
        ports
            .get(i)
            .or_else(|| {
                if ports.len() == 1 {
                    ports.first()
                } else {
                    None
                }
            })
            .copied()
    };
    let denied = |host: &str, port: Option<u16>| {
        let port_text = port.map(|p| format!(":{p}")).unwrap_or_default();
        Error::ConnectionFailed(format!(
            "address postgres://{host}{port_text} is not permitted"
        ))
    };

    for (i, host) in config.get_hosts().iter().enumerate() {
        match host {
            Host::Tcp(name) => {
                let port = port_for(i);
                if !allow(&name.to_ascii_lowercase(), port.unwrap_or(DEFAULT_PORT)) {
                    return Err(denied(name, port));
                }
            }
            #[cfg(unix)]
            Host::Unix(_) => {
                return Err(Error::ConnectionFailed(
                    "Unix sockets are not supported on WebAssembly".to_owned(),
                ));
            }
        }
    }
    // Stricter than Spin, which checks only `host`: `hostaddr` is where tokio-postgres
    // actually connects, so it must be allowed as well.
    for (i, addr) in config.get_hostaddrs().iter().enumerate() {
        let port = port_for(i);
        if !allow(&addr.to_string(), port.unwrap_or(DEFAULT_PORT)) {
            return Err(denied(&addr.to_string(), port));
        }
    }

    // Every sslmode tokio-postgres parses is served: see the `pg-tls` crate for what each does.
    Ok(config)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn failure(result: Result<Config, Error>) -> String {
        match result {
            Err(Error::ConnectionFailed(text)) => text,
            Err(other) => panic!("expected connection-failed, got {other:?}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    fn only(host: &'static str, port: u16) -> impl Fn(&str, u16) -> bool {
        move |h, p| h == host && p == port
    }

    #[test]
    fn url_form_checks_host_and_port() {
        let allow = only("db.internal", 5432);
        let cfg = check_address("postgres://app:s3cret@db.internal/hub", &allow).unwrap();
        assert_eq!(cfg.get_dbname(), Some("hub"));
        assert_eq!(cfg.get_user(), Some("app"));
        let text = failure(check_address(
            "postgres://app:s3cret@db.internal:6543/hub",
            &allow,
        ));
        assert_eq!(text, "address postgres://db.internal:6543 is not permitted");
        let text = failure(check_address("postgresql://app:s3cret@other/hub", &allow));
        assert_eq!(text, "address postgres://other:5432 is not permitted");
        assert!(!text.contains("s3cret"));
    }

    #[test]
    fn key_value_form_defaults_to_5432() {
        let allow = only("localhost", 5432);
        check_address("host=localhost user=app password=s3cret dbname=hub", &allow).unwrap();
        // No port given: Spin's message has none either.
        let text = failure(check_address("host=elsewhere password=s3cret", &allow));
        assert_eq!(text, "address postgres://elsewhere is not permitted");
        check_address("host=LocalHost port=5432", &allow).unwrap();
    }

    #[test]
    fn every_host_of_a_multi_host_string_is_checked() {
        let seen = Mutex::new(Vec::new());
        let allow = |h: &str, p: u16| {
            seen.lock().unwrap().push(format!("{h}:{p}"));
            h != "c"
        };
        check_address("host=a,b port=7000 password=x", &allow).unwrap();
        assert_eq!(*seen.lock().unwrap(), vec!["a:7000", "b:7000"]);
        seen.lock().unwrap().clear();
        check_address("postgres://u:p@a:1,b:2/db", &allow).unwrap();
        assert_eq!(*seen.lock().unwrap(), vec!["a:1", "b:2"]);
        let text = failure(check_address("postgres://u:p@a:1,c:3/db", &allow));
        assert_eq!(text, "address postgres://c:3 is not permitted");
        // Mismatched counts: hosts without a port of their own are checked on 5432, and the
        // message shows no port (as in Spin).
        seen.lock().unwrap().clear();
        check_address("host=a,b,x port=1,2", &allow).unwrap();
        assert_eq!(*seen.lock().unwrap(), vec!["a:1", "b:2", "x:5432"]);
    }

    #[test]
    fn ipv6_hosts_and_hostaddr() {
        let allow = only("::1", 5432);
        check_address("postgres://u:p@[::1]:5432/db", &allow).unwrap();
        let allow = only("db", 5432);
        let text = failure(check_address(
            "host=db hostaddr=10.1.2.3 password=x",
            &allow,
        ));
        assert_eq!(text, "address postgres://10.1.2.3 is not permitted");
    }

    #[test]
    fn unix_sockets_and_bad_strings() {
        let allow = |_: &str, _: u16| true;
        let text = failure(check_address("host=/var/run/postgresql", &allow));
        assert_eq!(text, "Unix sockets are not supported on WebAssembly");
        let text = failure(check_address("postgres://u:p@h/db?nonsense=1", &allow));
        assert_eq!(text, "invalid connection string");
        let text = failure(check_address("host=h password='unterminated", &allow));
        assert_eq!(text, "invalid connection string");
        let text = failure(check_address(
            "postgres://u:p@h/db?sslmode=verify-full",
            &allow,
        ));
        assert_eq!(text, "invalid connection string");
    }

    #[test]
    fn every_sslmode_is_accepted() {
        let allow = |_: &str, _: u16| true;
        for url in [
            "postgres://u:p@h/db?sslmode=require",
            "postgres://u:p@h/db?sslmode=prefer",
            "postgres://u:p@h/db?sslmode=disable",
            "postgres://u:p@h/db",
            "host=h sslmode=require",
        ] {
            check_address(url, &allow).unwrap();
        }
    }

    #[test]
    fn denied_before_tls_is_looked_at() {
        let deny = |_: &str, _: u16| false;
        let text = failure(check_address("postgres://u:p@h/db?sslmode=require", &deny));
        assert_eq!(text, "address postgres://h:5432 is not permitted");
    }
}
