//! Search over the chunks the caller reads: PostgreSQL full-text search in German, English and
//! exact words, fused with vector search when an embedding model is active (the component embeds
//! the query between [`prepare`] and [`run`]).

use hub_db::Db;
use hub_db::knowledge::{self, SearchHit, SearchQuery};

use crate::{Caller, KnowledgeError, visible_collection};

/// The longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Passages returned when `?limit=` is left out.
pub const DEFAULT_LIMIT: i64 = 10;
/// The largest `?limit=`.
pub const MAX_LIMIT: i64 = 50;

/// The parameters of a search, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchParams<'a> {
    /// `?q=`: words, `"a phrase"`, `or`, `-excluded` (web search syntax).
    pub q: Option<&'a str>,
    /// `?collection_id=`: only this collection's files.
    pub collection_id: Option<&'a str>,
    /// `?limit=` (1-50, default 10).
    pub limit: Option<&'a str>,
}

/// Checks a search's parameters (and that the caller sees the collection it names): the query
/// to [`run`], without an embedding yet.
pub fn prepare(
    db: &dyn Db,
    caller: Caller,
    params: &SearchParams<'_>,
) -> Result<SearchQuery, KnowledgeError> {
    let text = params.q.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(KnowledgeError::invalid("q", "must not be empty"));
    }
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(KnowledgeError::invalid(
            "q",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(KnowledgeError::invalid(
            "q",
            "must not contain control characters",
        ));
    }
    let limit = hub_db::page_limit(params.limit, DEFAULT_LIMIT, MAX_LIMIT)
        .map_err(|reason| KnowledgeError::invalid("limit", reason))?;
    let collection_id = crate::parse_id("collection_id", params.collection_id)?;
    if let Some(id) = collection_id {
        visible_collection(db, caller, id, "collection_id")?;
    }
    Ok(SearchQuery {
        text: text.to_owned(),
        embedding: None,
        collection_id,
        limit,
    })
}

/// The passages of ready files the caller reads that match `query`, best first.
pub fn run(
    db: &dyn Db,
    caller: Caller,
    query: &SearchQuery,
) -> Result<Vec<SearchHit>, KnowledgeError> {
    Ok(knowledge::search(db, caller.owner, query)?)
}

#[cfg(test)]
mod tests {
    use hub_db::Owner;
    use hub_db::testing::FakeDb;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn parameters_are_checked_before_the_database() {
        let db = FakeDb::new();
        let caller = Caller {
            owner: Owner::new(Uuid::now_v7()),
            is_admin: false,
        };
        let long = "q".repeat(MAX_QUERY_CHARS + 1);
        for (params, field) in [
            (SearchParams::default(), "q"),
            (
                SearchParams {
                    q: Some("  "),
                    ..SearchParams::default()
                },
                "q",
            ),
            (
                SearchParams {
                    q: Some(&long),
                    ..SearchParams::default()
                },
                "q",
            ),
            (
                SearchParams {
                    q: Some("a\u{1}"),
                    ..SearchParams::default()
                },
                "q",
            ),
            (
                SearchParams {
                    q: Some("a"),
                    limit: Some("51"),
                    ..SearchParams::default()
                },
                "limit",
            ),
            (
                SearchParams {
                    q: Some("a"),
                    collection_id: Some("x"),
                    ..SearchParams::default()
                },
                "collection_id",
            ),
        ] {
            let err = prepare(&db, caller, &params).unwrap_err();
            assert!(
                matches!(err, KnowledgeError::Invalid { field: f, .. } if f == field),
                "{err}"
            );
        }
        assert!(db.calls().is_empty());
        let params = SearchParams {
            q: Some(" Haus "),
            ..SearchParams::default()
        };
        let query = prepare(&db, caller, &params).unwrap();
        assert_eq!(query.text, "Haus");
        assert!(run(&db, caller, &query).unwrap().is_empty());
        assert_eq!(db.calls()[0].1[1], hub_db::Param::Text("Haus".into()));
    }
}
