//! The lists' query parameters and pages: newest first by the v7 id; the cursor is the last
//! id of the previous page.

use hub_db::assistants::ListQuery;
use uuid::Uuid;

use crate::AssistantError;

/// Rows per page when `?limit=` is left out.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// The largest `?limit=`.
pub const MAX_PAGE_SIZE: i64 = 200;
/// The longest search text (`?q=`), in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The query parameters of a list, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListParams<'a> {
    /// `?q=`: a substring of the name (title) or description (body), case-insensitive.
    pub q: Option<&'a str>,
    /// `?scope=personal|global`.
    pub scope: Option<&'a str>,
    /// `?limit=` (1-200, default 50).
    pub limit: Option<&'a str>,
    /// `?cursor=` from the previous page.
    pub cursor: Option<&'a str>,
}

/// Checks the parameters: the query to run (one row more than the page).
pub fn parse_list(params: &ListParams<'_>) -> Result<ListQuery, AssistantError> {
    let pattern = hub_db::search_pattern(params.q, MAX_SEARCH_CHARS)
        .map_err(|reason| AssistantError::invalid("q", reason))?;
    let global = match params.scope {
        None => None,
        Some("global") => Some(true),
        Some("personal") => Some(false),
        Some(_) => {
            return Err(AssistantError::invalid(
                "scope",
                "must be personal or global",
            ));
        }
    };
    let limit = hub_db::page_limit(params.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        .map_err(|reason| AssistantError::invalid("limit", reason))?;
    let after = match params.cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => Some(
            decode_cursor(text)
                .ok_or_else(|| AssistantError::invalid("cursor", "is not a cursor of this list"))?,
        ),
    };
    Ok(ListQuery {
        pattern,
        global,
        after,
        limit: limit + 1,
    })
}

/// The cursor after the row `id`: the id's 32 hex digits.
pub fn encode_cursor(id: Uuid) -> String {
    id.simple().to_string()
}

/// The id of a cursor: 32 lower-case hex digits of a v7 id (every id of these lists is one).
fn decode_cursor(text: &str) -> Option<Uuid> {
    if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    Uuid::try_parse(text)
        .ok()
        .filter(|id| id.get_version_num() == 7)
}

/// The page of `rows` (read with `query`) and the cursor of the next page.
pub fn page<T>(
    mut rows: Vec<T>,
    query: &ListQuery,
    id_of: impl Fn(&T) -> Uuid,
) -> (Vec<T>, Option<String>) {
    let size = usize::try_from(query.limit - 1).unwrap_or(0);
    let next = if rows.len() > size {
        rows.truncate(size);
        rows.last().map(|row| encode_cursor(id_of(row)))
    } else {
        None
    };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked() {
        let query = parse_list(&ListParams::default()).unwrap();
        assert_eq!(query.limit, 51);
        assert_eq!(
            (query.pattern, query.global, query.after),
            (None, None, None)
        );
        let id = Uuid::now_v7();
        let query = parse_list(&ListParams {
            q: Some(" 50%_ "),
            scope: Some("global"),
            limit: Some("2"),
            cursor: Some(&encode_cursor(id)),
        })
        .unwrap();
        assert_eq!(query.pattern.as_deref(), Some("%50\\%\\_%"));
        assert_eq!(
            (query.global, query.after, query.limit),
            (Some(true), Some(id), 3)
        );
        for (params, field) in [
            (
                ListParams {
                    limit: Some("0"),
                    ..ListParams::default()
                },
                "limit",
            ),
            (
                ListParams {
                    limit: Some("201"),
                    ..ListParams::default()
                },
                "limit",
            ),
            (
                ListParams {
                    scope: Some("mine"),
                    ..ListParams::default()
                },
                "scope",
            ),
            (
                ListParams {
                    cursor: Some("nope"),
                    ..ListParams::default()
                },
                "cursor",
            ),
            (
                ListParams {
                    cursor: Some(&Uuid::new_v4().simple().to_string()),
                    ..ListParams::default()
                },
                "cursor",
            ),
            (
                ListParams {
                    q: Some(&"q".repeat(101)),
                    ..ListParams::default()
                },
                "q",
            ),
        ] {
            let err = parse_list(&params).unwrap_err();
            assert!(
                matches!(err, AssistantError::Invalid { field: f, .. } if f == field),
                "{err}"
            );
        }
    }

    #[test]
    fn a_full_page_has_a_next_cursor() {
        let query = parse_list(&ListParams {
            limit: Some("2"),
            ..ListParams::default()
        })
        .unwrap();
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let (rows, next) = page(ids.clone(), &query, |id| *id);
        assert_eq!(rows, ids[..2]);
        assert_eq!(next, Some(encode_cursor(ids[1])));
        let (rows, next) = page(ids[..2].to_vec(), &query, |id| *id);
        assert_eq!((rows.len(), next), (2, None));
    }
}
