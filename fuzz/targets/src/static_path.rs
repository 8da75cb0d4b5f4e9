//! The static component's request paths (`components/static/src/path.rs`).

use std::path::{Component, Path};

use hub_static::path::{PathError, SitePath, is_api_path};

use crate::percent_encode;

/// `SitePath::parse` over any request path.
///
/// Invariants: no panic; a path it accepts stays inside the site root: no empty, `.` or `..`
/// segment, no NUL, control character, `/` or `\` in a segment, and joined to a root it gives
/// only normal components under that root; a query or fragment never changes the result; the
/// segments, encoded again as a client would, parse to the same path (unless that is too
/// long); an accepted path in the API's raw namespace is in it after decoding too.
pub fn static_path(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let parsed = SitePath::parse(&raw);
    let path_part = raw.split(['?', '#']).next().unwrap_or_default();
    assert_eq!(
        SitePath::parse(path_part),
        parsed,
        "the query or fragment of {raw:?} changed the result"
    );
    let Ok(path) = parsed else { return };

    for segment in path.segments() {
        assert!(
            !segment.is_empty() && segment != "." && segment != "..",
            "segment {segment:?} of {raw:?}"
        );
        assert!(
            !segment
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\'),
            "segment {segment:?} of {raw:?}"
        );
    }
    let relative = path.relative();
    assert_eq!(relative, path.segments().join("/"));
    assert!(
        !relative.starts_with('/'),
        "{relative:?} from {raw:?} is absolute"
    );

    let root = Path::new("/srv/site");
    let target = root.join(&relative);
    assert!(
        target.starts_with(root),
        "{raw:?} leaves the root: {}",
        target.display()
    );
    let below: Vec<Component<'_>> = target
        .components()
        .skip(root.components().count())
        .collect();
    assert_eq!(
        below.len(),
        path.segments().len(),
        "{raw:?} -> {}",
        target.display()
    );
    assert!(
        below.iter().all(|c| matches!(c, Component::Normal(_))),
        "{raw:?} -> {}",
        target.display()
    );

    let encoded: String = path
        .segments()
        .iter()
        .map(|s| format!("/{}", percent_encode(s)))
        .collect();
    match SitePath::parse(&encoded) {
        Ok(again) => assert_eq!(
            again.segments(),
            path.segments(),
            "{encoded:?} from {raw:?}"
        ),
        // Encoding makes a path up to three times longer.
        Err(PathError::TooLong(_)) => {}
        Err(e) => panic!("{encoded:?} (from {raw:?}) is refused: {e}"),
    }

    if is_api_path(&raw) {
        assert!(
            path.is_api(),
            "{raw:?} is an API path before decoding, not after"
        );
    }
}
