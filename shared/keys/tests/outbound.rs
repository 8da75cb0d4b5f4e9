//! The outbound-URL policy against a corpus of base URLs: spellings of internal addresses and
//! names that must be refused (each with its reason), URLs that must pass (with their normalised
//! form), and the `allowed_outbound_hosts` matching.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hub_keys::{EXTRA_HOST_VARIABLE, OutboundError, OutboundPolicy, TRUSTED_HOSTS_VARIABLE};

/// Every host allowed by the manifest, so that only the address rules can refuse.
fn allow_all() -> OutboundPolicy {
    OutboundPolicy::new("chat", &["*://*:*"], "").unwrap()
}

/// The chat component's entries of spin.toml, `llm_extra_host` resolved to a port-8443 server,
/// and two internal model servers the operator trusts.
fn realistic() -> OutboundPolicy {
    OutboundPolicy::new(
        "chat",
        &[
            "postgres://db.example.com",
            "https://api.openai.com",
            "https://api.anthropic.com",
            "https://generativelanguage.googleapis.com",
            "https://*.openai.azure.com",
            "https://my.server:8443",
            "https://8.8.8.8",
            "https://[2606:4700::1111]:443",
            "http://ollama.lan:11434",
            "http://10.1.2.3:8000",
            "http://[fd00::5]:8080",
        ],
        "ollama.lan, 10.1.2.3\n[fd00::5]",
    )
    .unwrap()
}

#[test]
fn refused_spellings() {
    let too_long = format!("https://a.example/{}", "a".repeat(3000));
    let cases: &[(&str, &str)] = &[
        // Not an https URL with a host.
        ("", "empty"),
        ("  \n", "empty"),
        (&too_long, "too_long"),
        ("api.openai.com", "invalid_url"),
        ("/v1/chat", "invalid_url"),
        ("https://", "invalid_url"),
        ("https://api.openai.com:99999", "invalid_url"),
        ("https://999.0.0.1", "invalid_url"),
        ("https://[::1", "invalid_url"),
        ("https://[fe80::1%25eth0]", "invalid_url"),
        ("https://[fe80::1%eth0]", "invalid_url"),
        ("https://exa mple.com", "invalid_characters"),
        ("https://api.open\tai.com", "invalid_characters"),
        ("https://api.openai.com/v\n1", "invalid_characters"),
        ("ftp://api.openai.com", "unsupported_scheme"),
        ("file:///etc/passwd", "unsupported_scheme"),
        ("javascript:alert(1)", "unsupported_scheme"),
        ("gopher://api.openai.com:70/", "unsupported_scheme"),
        ("ws://api.openai.com", "unsupported_scheme"),
        ("http://api.openai.com", "insecure_scheme"),
        ("HTTP://api.openai.com/v1", "insecure_scheme"),
        ("https://user:pass@api.openai.com", "credentials"),
        ("https://user@api.openai.com", "credentials"),
        ("https://:pass@api.openai.com", "credentials"),
        ("https://api.openai.com@127.0.0.1", "credentials"),
        ("https://api.openai.com/v1?api-version=1", "query"),
        ("https://api.openai.com/?", "query"),
        ("https://api.openai.com/#frag", "fragment"),
        ("https://api.openai.com#@127.0.0.1", "fragment"),
        ("https://a..b.example.com", "invalid_host"),
        // Loopback, in every spelling.
        ("https://127.0.0.1", "loopback"),
        ("https://127.1", "loopback"),
        ("https://127.0.1", "loopback"),
        ("https://2130706433", "loopback"),
        ("https://0177.0.0.1", "loopback"),
        ("https://0x7f.0.0.1", "loopback"),
        ("https://0X7F.0.0.1", "loopback"),
        ("https://0x7f000001", "loopback"),
        ("https://017700000001", "loopback"),
        ("https://127.000.000.001", "loopback"),
        ("https://0x7f.1", "loopback"),
        ("https://0177.0x0.0.1", "loopback"),
        ("https://127.0.0.1.", "loopback"),
        ("https://127.0.0.1:8443/v1", "loopback"),
        ("https://%31%32%37.0.0.1", "loopback"),
        ("https://127%2E0%2E0%2E1", "loopback"),
        ("https://127\u{3002}0\u{3002}0\u{3002}1", "loopback"),
        ("https://\u{ff11}\u{ff12}\u{ff17}.0.0.1", "loopback"),
        ("https:\\\\127.0.0.1", "loopback"),
        ("https:/127.0.0.1", "loopback"),
        ("https://[::1]", "loopback"),
        ("https://[0:0:0:0:0:0:0:1]:8443", "loopback"),
        ("https://[::ffff:127.0.0.1]", "loopback"),
        ("https://[::ffff:7f00:1]", "loopback"),
        ("https://[::FFFF:7F00:0001]", "loopback"),
        ("https://[::127.0.0.1]", "loopback"),
        ("https://[::ffff:0:127.0.0.1]", "loopback"),
        ("https://[64:ff9b::127.0.0.1]", "loopback"),
        ("https://[2002:7f00:1::]", "loopback"),
        ("https://localhost", "loopback"),
        ("https://LOCALHOST.", "loopback"),
        ("https://localhost..", "loopback"),
        ("https://api.localhost", "loopback"),
        ("https://%6c%6f%63%61%6c%68%6f%73%74", "loopback"),
        (
            "https://\u{ff4c}\u{ff4f}\u{ff43}\u{ff41}\u{ff4c}\u{ff48}\u{ff4f}\u{ff53}\u{ff54}",
            "loopback",
        ),
        // Private networks, carrier NAT.
        ("https://10.0.0.1", "private"),
        ("https://10.255.255.255/v1", "private"),
        ("https://012.0.0.1", "private"),
        ("https://167772161", "private"),
        ("https://172.16.5.4", "private"),
        ("https://172.31.0.1", "private"),
        ("https://192.168.0.1", "private"),
        ("https://3232235521", "private"),
        ("https://0xc0.0xa8.1", "private"),
        ("https://100.64.0.1", "private"),
        ("https://[64:ff9b::10.0.0.1]", "private"),
        ("https://[64:ff9b::a00:1]", "private"),
        ("https://[::ffff:192.168.1.1]", "private"),
        ("https://[fec0::1]", "private"),
        // Cloud metadata.
        ("https://169.254.169.254", "metadata"),
        ("https://169.254.169.254/latest/meta-data", "metadata"),
        ("https://2852039166", "metadata"),
        ("https://0xa9.0xfe.0xa9.0xfe", "metadata"),
        ("https://0251.0376.0251.0376", "metadata"),
        ("https://169.254.43518", "metadata"),
        ("https://[::ffff:169.254.169.254]", "metadata"),
        ("https://[::ffff:a9fe:a9fe]", "metadata"),
        ("https://[fd00:ec2::254]", "metadata"),
        ("https://metadata.google.internal", "metadata"),
        ("https://METADATA.google.internal.", "metadata"),
        ("https://metadata", "metadata"),
        ("https://100.100.100.200", "metadata"),
        ("https://169.254.170.2", "metadata"),
        // Link-local, unique local, unspecified, multicast, broadcast, reserved.
        ("https://169.254.1.1", "link_local"),
        ("https://[fe80::1]", "link_local"),
        ("https://[FE80::abcd:1]", "link_local"),
        ("https://[fc00::1]", "unique_local"),
        ("https://[fd12:3456:789a::1]", "unique_local"),
        ("https://0.0.0.0", "unspecified"),
        ("https://0", "unspecified"),
        ("https://0x0", "unspecified"),
        ("https://0.1.2.3", "unspecified"),
        ("https://[::]", "unspecified"),
        ("https://[0::0]", "unspecified"),
        ("https://224.0.0.1", "multicast"),
        ("https://239.255.255.250", "multicast"),
        ("https://[ff02::1]", "multicast"),
        ("https://255.255.255.255", "broadcast"),
        ("https://4294967295", "broadcast"),
        ("https://240.0.0.1", "reserved"),
        ("https://192.0.2.10", "reserved"),
        ("https://198.18.0.1", "reserved"),
        ("https://[2001:db8::1]", "reserved"),
        ("https://[100::1]", "reserved"),
        ("https://[2001::1]", "reserved"),
        // IPv4 inside IPv6, even of a public address.
        ("https://[::ffff:8.8.8.8]", "ipv4_in_ipv6"),
        ("https://[64:ff9b::8.8.8.8]", "ipv4_in_ipv6"),
        ("https://[2002:808:808::1]", "ipv4_in_ipv6"),
        // Internal names.
        ("https://printer.local", "internal_name"),
        ("https://db.internal", "internal_name"),
        ("https://DB.INTERNAL.", "internal_name"),
        ("https://router.home.arpa", "internal_name"),
        ("https://1.0.0.127.in-addr.arpa", "internal_name"),
        ("https://server.localdomain", "internal_name"),
        ("https://git.corp", "internal_name"),
        ("https://svc.lan", "internal_name"),
        ("https://intranet", "internal_name"),
        ("https://wiki", "single_label"),
        ("https://ollama", "single_label"),
        ("https://ollama.", "single_label"),
    ];
    assert!(cases.len() >= 40);
    let policy = allow_all();
    let mut wrong = Vec::new();
    for (input, reason) in cases {
        match policy.validate(input) {
            Err(err) if err.reason() == *reason => {}
            other => wrong.push(format!("{input:?}: expected {reason}, got {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn accepted_and_normalised() {
    let cases = [
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("https://api.openai.com/v1/", "https://api.openai.com/v1"),
        ("https://api.openai.com/v1//", "https://api.openai.com/v1"),
        ("https://api.openai.com", "https://api.openai.com"),
        ("https://api.openai.com/", "https://api.openai.com"),
        ("HTTPS://API.OpenAI.COM/v1", "https://api.openai.com/v1"),
        (
            "  https://api.openai.com/v1 \n",
            "https://api.openai.com/v1",
        ),
        ("https://api.openai.com:443/v1", "https://api.openai.com/v1"),
        ("https://api.openai.com./v1", "https://api.openai.com/v1"),
        (
            "https://api.openai.com/a/../v1/./",
            "https://api.openai.com/v1",
        ),
        (
            "https://api.openai.com/openai%2Fv1",
            "https://api.openai.com/openai%2Fv1",
        ),
        (
            "https://myres.openai.azure.com/",
            "https://myres.openai.azure.com",
        ),
        (
            "https://B\u{fc}cher.openai.azure.com",
            "https://xn--bcher-kva.openai.azure.com",
        ),
        ("https://my.server:8443/v1", "https://my.server:8443/v1"),
        ("https://8.8.8.8/v1", "https://8.8.8.8/v1"),
        ("https://134744072/v1", "https://8.8.8.8/v1"),
        ("https://0x8.0x8.0x8.0x8", "https://8.8.8.8"),
        (
            "https://[2606:4700:0::1111]/v1",
            "https://[2606:4700::1111]/v1",
        ),
        ("http://ollama.lan:11434/v1", "http://ollama.lan:11434/v1"),
        ("http://OLLAMA.lan.:11434/v1/", "http://ollama.lan:11434/v1"),
        ("http://10.1.2.3:8000/v1", "http://10.1.2.3:8000/v1"),
        ("http://012.1.2.3:8000", "http://10.1.2.3:8000"),
        ("http://[fd00::5]:8080", "http://[fd00::5]:8080"),
        (
            "https://generativelanguage.googleapis.com",
            "https://generativelanguage.googleapis.com",
        ),
    ];
    let policy = realistic();
    let mut wrong = Vec::new();
    for (input, expected) in cases {
        match policy.validate(input) {
            Ok(url) if url.as_str() == expected => {}
            other => wrong.push(format!("{input:?}: expected {expected}, got {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn refused_by_allowed_outbound_hosts_or_scheme() {
    let cases = [
        ("https://api.openai.com.evil.com", "not_allowed_outbound"),
        ("https://api.openai.com:8443", "not_allowed_outbound"),
        ("https://openai.azure.com", "not_allowed_outbound"),
        ("https://x.openai.azure.com:444", "not_allowed_outbound"),
        ("https://evil.com/.openai.azure.com", "not_allowed_outbound"),
        ("https://my.server", "not_allowed_outbound"),
        ("https://127.0.0.1.nip.io", "not_allowed_outbound"),
        ("https://8.8.4.4", "not_allowed_outbound"),
        ("https://[2606:4700::1001]", "not_allowed_outbound"),
        ("https://ollama.lan:11434", "not_allowed_outbound"),
        ("http://ollama.lan:8080", "not_allowed_outbound"),
        ("http://my.server:8443", "insecure_scheme"),
        ("http://10.1.2.4:8000", "private"),
        ("https://other.lan", "internal_name"),
    ];
    let policy = realistic();
    for (input, reason) in cases {
        let err = policy.validate(input).unwrap_err();
        assert_eq!(err.reason(), reason, "{input}: {err}");
    }
}

#[test]
fn error_messages_name_what_to_change() {
    let err = realistic()
        .validate("https://gw.example.com:9443/v1")
        .unwrap_err();
    assert_eq!(
        err,
        OutboundError::NotAllowed {
            origin: "https://gw.example.com:9443".into(),
            component: "chat".into(),
        }
    );
    let message = err.to_string();
    for part in [
        "\"https://gw.example.com:9443\"",
        "allowed_outbound_hosts",
        "[component.chat]",
        "spin.toml",
        EXTRA_HOST_VARIABLE,
    ] {
        assert!(message.contains(part), "{message} lacks {part}");
    }
    let err = realistic()
        .validate("https://[2606:4700::1001]")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("\"https://[2606:4700::1001]:443\""),
        "{err}"
    );

    let message = realistic()
        .validate("http://api.openai.com")
        .unwrap_err()
        .to_string();
    assert!(message.contains(TRUSTED_HOSTS_VARIABLE), "{message}");

    let message = allow_all()
        .validate("https://0x7f.1/v1")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("127.0.0.1") && message.contains("loopback"),
        "{message}"
    );
}

#[test]
fn errors_do_not_repeat_credentials() {
    for input in [
        "https://admin:hunter2@10.0.0.1/v1",
        "https://admin:hunter2@api.openai.com",
        "ftp://admin:hunter2@api.openai.com",
        "https://api.openai.com/v1?key=hunter2",
        "https://api.openai.com/v1#hunter2",
    ] {
        let err = allow_all().validate(input).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter2"), "{input}: {shown}");
    }
}

#[test]
fn trusted_hosts_never_exempt_metadata_or_special_addresses() {
    let policy = OutboundPolicy::new(
        "chat",
        &["*://*:*"],
        "169.254.169.254 metadata.google.internal 0.0.0.0 224.0.0.1 localhost",
    )
    .unwrap();
    for (input, reason) in [
        ("http://169.254.169.254", "metadata"),
        ("https://2852039166", "metadata"),
        ("http://metadata.google.internal", "metadata"),
        ("http://0.0.0.0:8080", "unspecified"),
        ("http://224.0.0.1", "multicast"),
        // Trust goes to the host as listed, not to other spellings of its address.
        ("http://[::ffff:127.0.0.1]", "loopback"),
        ("http://127.0.0.1", "loopback"),
    ] {
        let err = policy.validate(input).unwrap_err();
        assert_eq!(err.reason(), reason, "{input}: {err}");
    }
    // What the list is for: an internal model server, over http.
    assert_eq!(
        policy
            .validate("http://LocalHost:11434/v1/")
            .unwrap()
            .as_str(),
        "http://localhost:11434/v1"
    );
    // Not trusted: internal and http refused.
    let untrusted = allow_all();
    assert_eq!(
        untrusted
            .validate("http://localhost:11434")
            .unwrap_err()
            .reason(),
        "loopback"
    );
}

#[test]
fn invalid_allowed_hosts_are_configuration_errors() {
    for entries in [
        vec!["https://api.openai.com", "api.openai.com"],
        vec!["{{ llm_extra_host }}"],
        vec!["insecure:allow-all"],
    ] {
        let err = OutboundPolicy::new("chat", &entries, "").unwrap_err();
        assert_eq!(err.reason(), "allowed_host_invalid", "{entries:?}");
    }
    let none: [&str; 0] = [];
    let err = OutboundPolicy::new("chat", &none, "")
        .unwrap()
        .validate("https://api.openai.com")
        .unwrap_err();
    assert_eq!(err.reason(), "not_allowed_outbound");
}
