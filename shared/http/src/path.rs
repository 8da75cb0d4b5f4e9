//! Resource paths: `<prefix><uuid>[/<tail>]`.

use uuid::Uuid;

/// The resource id and what follows it in `path` below `prefix` (`/api/chats/<id>/messages`
/// gives the id and `Some("messages")`). `None` when `path` is not below `prefix` or the id is
/// not a UUID: such a path names nothing, a 404 like another user's resource.
pub fn resource_id<'a>(path: &'a str, prefix: &str) -> Option<(Uuid, Option<&'a str>)> {
    let rest = path.strip_prefix(prefix)?;
    let (id, tail) = match rest.split_once('/') {
        Some((id, tail)) => (id, Some(tail)),
        None => (rest, None),
    };
    Uuid::try_parse(id).ok().map(|id| (id, tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tails_are_split() {
        let id = Uuid::now_v7();
        assert_eq!(resource_id(&format!("/a/{id}"), "/a/"), Some((id, None)));
        assert_eq!(
            resource_id(&format!("/a/{id}/x/y"), "/a/"),
            Some((id, Some("x/y")))
        );
        assert_eq!(
            resource_id(&format!("/a/{id}/"), "/a/"),
            Some((id, Some("")))
        );
        for path in ["/a/", "/a/nope", "/b/x", "/a/%00"] {
            assert_eq!(resource_id(path, "/a/"), None, "{path}");
        }
    }
}
