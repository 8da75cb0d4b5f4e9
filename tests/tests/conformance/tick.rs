//! The runner's timer for scheduled triggers (`start --tick-path`): it POSTs the route
//! periodically, in-process, through the same routing as any request.

use std::time::{Duration, Instant};

use hub_tests::{AppOptions, TestDb, Upstream, spawn_app};

use crate::helpers::{MAIN_MANIFEST, encode};

#[tokio::test]
async fn the_tick_route_is_posted_periodically() {
    // The ticked route makes an outbound call to `upstream`, which records it.
    let upstream = Upstream::start("ticked");
    let tick_path = format!("/conf/outbound?url={}", encode(&upstream.url("/tick")));
    let app = spawn_app(
        AppOptions::new(MAIN_MANIFEST)
            .variable("upstream_port", upstream.addr().port().to_string())
            .variable("api_key", "sk-tick")
            .variable("pg_allowed", TestDb::allowed_host())
            .file("assets/hello.txt", "x\n")
            .args(["--tick-path", &tick_path, "--tick-every-secs", "1"]),
    );
    let ticks = || {
        upstream
            .requests()
            .iter()
            .filter(|r| r.starts_with("GET /tick "))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while ticks() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        ticks() >= 2,
        "ticks seen: {:?}\nrunner log:\n{}",
        upstream.requests(),
        app.log()
    );
}
