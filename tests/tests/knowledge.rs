//! Knowledge through the real app (`spin.toml`, the `upload` component, real PostgreSQL): 401
//! on every route (one table); real PDF, DOCX, Markdown and text files (the fixtures of
//! `shared/knowledge/tests/fixtures`) ending `ready` with pages, headings and chunks; the
//! malicious corpus each ending `failed` with its reason or a 4xx, nothing else harmed; one copy
//! per place by SHA-256; who reads and changes what (another user's personal collection or file
//! is a 404 by every route, search included; global ones are everyone's to read and the admins'
//! to change: 403); a hostile name in `Content-Disposition`; keyword search by German and
//! English stems, ranked; audit rows of global changes.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};

use hub_tests::{Answer, Hub, send, send_raw, workspace_root};
use reqwest::Method;
use serde_json::{Value, json};

const SOME_ID: &str = "0190f5f0-0000-7000-8000-000000000001";

fn fixture(name: &str) -> Vec<u8> {
    let path = workspace_root()
        .join("shared/knowledge/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(id).collect()
}

/// `GET /api/knowledge/search?q=…` (and `extra` query text): the answer.
async fn search(hub: &Hub, token: &str, q: &str, extra: &str) -> Answer {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    hub.get(&format!("/api/knowledge/search?q={q}{extra}"), token)
        .await
}

/// `GET /api/knowledge/files/{file}/content` with `token`, whatever its content type.
async fn download(hub: &Hub, token: &str, file: &str) -> Answer {
    let path = format!("/api/knowledge/files/{file}/content");
    send_raw(hub.request(Method::GET, &path).bearer_auth(token)).await
}

/// The file ids of a search's hits.
async fn found(hub: &Hub, token: &str, q: &str) -> Vec<String> {
    let results = search(hub, token, q, "").await.expect(200);
    assert_eq!(results["mode"], "keyword");
    results["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["file_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_route_refuses_anonymous_callers() {
    let hub = Hub::spawn(|o| o).await;
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/knowledge/collections".into(), None),
        (
            Method::POST,
            "/api/knowledge/collections".into(),
            Some(json!({"name": "C"})),
        ),
        (
            Method::GET,
            format!("/api/knowledge/collections/{SOME_ID}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/knowledge/collections/{SOME_ID}"),
            Some(json!({"name": "D"})),
        ),
        (
            Method::DELETE,
            format!("/api/knowledge/collections/{SOME_ID}"),
            None,
        ),
        (Method::GET, "/api/knowledge/files".into(), None),
        (Method::POST, "/api/knowledge/files?name=a.txt".into(), None),
        (Method::GET, format!("/api/knowledge/files/{SOME_ID}"), None),
        (
            Method::DELETE,
            format!("/api/knowledge/files/{SOME_ID}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/knowledge/files/{SOME_ID}/content"),
            None,
        ),
        (Method::GET, "/api/knowledge/search?q=haus".into(), None),
    ];
    for (method, path, body) in routes {
        for token in [None, Some("not.a.token")] {
            let mut request = hub.request(method.clone(), &path);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request = match &body {
                Some(body) => request.json(body),
                None => request
                    .header("content-type", "application/octet-stream")
                    .body("Hallo"),
            };
            let answer = send(request).await;
            answer.assert_error(401, "unauthenticated");
            let reason = if token.is_some() {
                "invalid"
            } else {
                "missing"
            };
            assert_eq!(
                answer.body["error"]["details"]["reason"], reason,
                "{method} {path}"
            );
        }
    }
    let stored: i64 = hub
        .scalar(
            "SELECT (SELECT count(*) FROM knowledge_files) \
             + (SELECT count(*) FROM knowledge_collections)",
        )
        .await;
    assert_eq!(stored, 0);

    // Unknown paths and methods, bad parameters.
    let token = hub.user("u@example.com").await;
    for path in [
        "/api/knowledge/files/not-a-uuid",
        &format!("/api/knowledge/files/{SOME_ID}/x"),
        &format!("/api/knowledge/collections/{SOME_ID}/files"),
        "/api/knowledge/nothing",
    ] {
        hub.get(path, &token).await.assert_error(404, "not_found");
    }
    let put = send(
        hub.request(Method::PUT, "/api/knowledge/files")
            .bearer_auth(&token),
    )
    .await;
    put.assert_error(405, "method_not_allowed");
    assert_eq!(put.header("allow"), Some("GET, POST"));
    let post = send(
        hub.request(
            Method::POST,
            &format!("/api/knowledge/files/{SOME_ID}/content"),
        )
        .bearer_auth(&token),
    )
    .await;
    assert_eq!((post.status, post.header("allow")), (405, Some("GET")));
    for (path, field) in [
        ("/api/knowledge/search", "q"),
        ("/api/knowledge/search?q=%20", "q"),
        ("/api/knowledge/search?q=a&limit=51", "limit"),
        ("/api/knowledge/search?q=a&collection_id=x", "collection_id"),
        ("/api/knowledge/files?collection_id=", "collection_id"),
        ("/api/knowledge/files?limit=0", "limit"),
        ("/api/knowledge/files?cursor=nope", "cursor"),
        ("/api/knowledge/collections?scope=mine", "scope"),
    ] {
        let answer = hub.get(path, &token).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], field, "{path}");
    }
    let no_name = send(
        hub.request(Method::POST, "/api/knowledge/files")
            .bearer_auth(&token)
            .header("content-type", "application/octet-stream")
            .body("Hallo"),
    )
    .await;
    no_name.assert_error(400, "invalid_input");
    assert_eq!(no_name.body["error"]["details"]["field"], "name");
    let as_json = send(
        hub.request(Method::POST, "/api/knowledge/files?name=a.txt")
            .bearer_auth(&token)
            .json(&json!({"text": "Hallo"})),
    )
    .await;
    as_json.assert_error(415, "unsupported_media_type");
    assert_eq!(
        as_json.body["error"]["details"]["expected"],
        "application/octet-stream"
    );
    for (name, collection) in [
        ("n".repeat(256), None),
        ("../".to_owned(), None),
        ("a.txt".to_owned(), Some("x")),
    ] {
        let answer = hub
            .upload(&token, &name, collection, b"Hallo".to_vec())
            .await;
        answer.assert_error(400, "invalid_input");
    }
}

#[tokio::test]
async fn real_files_become_ready_with_pages_headings_and_chunks_once_per_place() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("alice@example.com").await;

    let pdf = hub
        .uploaded(&token, "orchard.pdf", None, fixture("multipage.pdf"))
        .await;
    assert_eq!(
        (&pdf["status"], &pdf["kind"], &pdf["page_count"]),
        (&json!("ready"), &json!("pdf"), &json!(4))
    );
    assert_eq!(pdf["reason_code"], Value::Null);
    assert_eq!(pdf["collection_id"], Value::Null);
    assert_eq!(pdf["deletable"], true);
    assert!(pdf["chunk_count"].as_i64().unwrap() >= 3, "{pdf}");
    assert!(pdf["char_count"].as_i64().unwrap() > 100, "{pdf}");
    let bytes = fixture("multipage.pdf");
    assert_eq!(pdf["size_bytes"], json!(bytes.len()));
    assert_eq!(pdf["sha256"].as_str().unwrap().len(), 64);
    let pdf_id = id(&pdf);
    let stored_chunks: i64 = hub
        .scalar(&format!(
            "SELECT count(*) FROM knowledge_chunks WHERE file_id = '{pdf_id}'"
        ))
        .await;
    assert_eq!(json!(stored_chunks), pdf["chunk_count"]);

    let docx = hub
        .uploaded(&token, "policy.docx", None, fixture("headings.docx"))
        .await;
    assert_eq!(
        (&docx["status"], &docx["kind"]),
        (&json!("ready"), &json!("docx"))
    );
    assert_eq!(docx["page_count"], Value::Null);
    let markdown =
        "# Wohnen\n\nDie alten Häuser am Fluss sind schön.\n\n## Garten\n\nÄpfel und Birnen.\n";
    let md = hub
        .uploaded(&token, "wohnen.md", None, markdown.as_bytes().to_vec())
        .await;
    assert_eq!(
        (&md["status"], &md["kind"]),
        (&json!("ready"), &json!("markdown"))
    );
    let txt = hub
        .uploaded(
            &token,
            "notes.txt",
            None,
            b"She runs every morning.".to_vec(),
        )
        .await;
    assert_eq!(
        (&txt["status"], &txt["kind"]),
        (&json!("ready"), &json!("text"))
    );

    // Search finds passages with their page and heading path.
    let cherries = search(&hub, &token, "cherries", "").await.expect(200);
    assert_eq!(cherries["items"][0]["file_id"], json!(pdf_id));
    assert_eq!(cherries["items"][0]["page"], 4);
    assert_eq!(cherries["items"][0]["file_name"], "orchard.pdf");
    assert!(
        cherries["items"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("**Cherries**"),
        "{cherries}"
    );
    let receipts = search(&hub, &token, "receipts", "").await.expect(200);
    assert_eq!(
        receipts["items"][0]["heading_path"],
        json!(["Travel policy", "Expenses"])
    );
    assert_eq!(receipts["items"][0]["page"], Value::Null);
    let garden = search(&hub, &token, "Birnen", "").await.expect(200);
    assert_eq!(
        garden["items"][0]["heading_path"],
        json!(["Wohnen", "Garten"])
    );
    // German and English stems.
    assert_eq!(found(&hub, &token, "Haus").await, [id(&md)]);
    assert_eq!(found(&hub, &token, "running").await, [id(&txt)]);
    assert!(found(&hub, &token, "Raumschiff").await.is_empty());

    // Get, list, download.
    let one = hub
        .get(&format!("/api/knowledge/files/{pdf_id}"), &token)
        .await
        .expect(200);
    assert_eq!(one, pdf);
    let page = hub
        .get("/api/knowledge/files?limit=3", &token)
        .await
        .expect(200);
    assert_eq!(ids(&page), [id(&txt), id(&md), id(&docx)]);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest = hub
        .get(
            &format!("/api/knowledge/files?limit=3&cursor={cursor}"),
            &token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&rest), [pdf_id.as_str()]);
    assert_eq!(rest["next_cursor"], Value::Null);
    let got = download(&hub, &token, &pdf_id).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, bytes);
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        got.header("content-disposition"),
        Some("attachment; filename=\"orchard.pdf\"; filename*=UTF-8''orchard.pdf")
    );

    // The same bytes in the same place are stored once; in another place again.
    let again = hub
        .upload(&token, "copy of orchard.pdf", None, bytes.clone())
        .await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body, pdf);
    let collection = hub
        .post(
            "/api/knowledge/collections",
            &token,
            json!({"name": "Obst"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (&collection["scope"], &collection["editable"]),
        (&json!("personal"), &json!(true))
    );
    let collection_id = id(&collection);
    let in_collection = hub
        .uploaded(&token, "orchard.pdf", Some(&collection_id), bytes.clone())
        .await;
    assert_ne!(id(&in_collection), pdf_id);
    assert_eq!(in_collection["collection_id"], json!(collection_id));
    let twice = hub
        .upload(&token, "orchard.pdf", Some(&collection_id), bytes)
        .await;
    assert_eq!(twice.expect(200)["id"], in_collection["id"]);
    let files: i64 = hub.scalar("SELECT count(*) FROM knowledge_files").await;
    assert_eq!(files, 5);
    let listed = hub
        .get(
            &format!("/api/knowledge/files?collection_id={collection_id}"),
            &token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&listed), [id(&in_collection)]);
    let scoped = search(
        &hub,
        &token,
        "cherries",
        &format!("&collection_id={collection_id}"),
    )
    .await
    .expect(200);
    assert_eq!(scoped["items"].as_array().unwrap().len(), 1);
    assert_eq!(scoped["items"][0]["collection_id"], json!(collection_id));

    // Deleting a file takes its chunks; deleting a collection its files.
    hub.delete(&format!("/api/knowledge/files/{pdf_id}"), &token)
        .await
        .expect(204);
    hub.get(&format!("/api/knowledge/files/{pdf_id}"), &token)
        .await
        .assert_error(404, "not_found");
    hub.delete(
        &format!("/api/knowledge/collections/{collection_id}"),
        &token,
    )
    .await
    .expect(204);
    let left: i64 = hub
        .scalar(&format!(
            "SELECT count(*) FROM knowledge_chunks WHERE file_id IN ('{pdf_id}', '{}')",
            id(&in_collection)
        ))
        .await;
    assert_eq!(left, 0);
    assert!(found(&hub, &token, "cherries").await.is_empty());
    assert_eq!(found(&hub, &token, "Haus").await, [id(&md)]);
}

/// `<w:t>` of `text_bytes` `a`s in a DOCX, deflated: a zip bomb (a thousandfold).
fn zip_bomb(text_bytes: usize) -> Vec<u8> {
    const TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let mut xml = br#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#.to_vec();
    xml.resize(xml.len() + text_bytes, b'a');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", TYPES.as_bytes()),
        ("word/document.xml", &xml),
    ] {
        writer.start_file(name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[tokio::test]
async fn the_malicious_corpus_fails_cleanly_and_harms_nothing() {
    let hub = Hub::spawn(|o| {
        o.variable("knowledge_max_file_bytes", "1000000")
            .variable("knowledge_max_chars", "100000")
    })
    .await;
    let token = hub.user("mallory@example.com").await;
    let good = hub
        .uploaded(
            &token,
            "good.txt",
            None,
            "Die Brücke ist lang.".as_bytes().to_vec(),
        )
        .await;

    let pdf = fixture("multipage.pdf");
    let bomb = zip_bomb(60_000_000);
    assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
    let cases: Vec<(&str, Vec<u8>, &str, Option<&str>)> = vec![
        ("bomb.docx", bomb, "too_large_unpacked", Some("docx")),
        (
            "cut.pdf",
            pdf[..pdf.len() / 2].to_vec(),
            "pdf_damaged",
            Some("pdf"),
        ),
        (
            "secret.pdf",
            fixture("encrypted.pdf"),
            "pdf_encrypted",
            Some("pdf"),
        ),
        ("scan.pdf", fixture("scanned.pdf"), "no_text", Some("pdf")),
        (
            "line.txt",
            "x".repeat(200_000).into_bytes(),
            "too_much_text",
            Some("text"),
        ),
        (
            "random.bin",
            // Bytes without a pattern any reader knows (the same on every run).
            (0u32..4096)
                .map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()[3])
                .collect(),
            "unsupported_type",
            None,
        ),
        (
            "latin1.txt",
            b"K\xe4se und Gr\xf6\xdfe".to_vec(),
            "text_encoding",
            None,
        ),
        ("blank.md", b" \n\t\n".to_vec(), "no_text", Some("markdown")),
    ];
    for (name, bytes, code, kind) in cases {
        let file = hub.uploaded(&token, name, None, bytes).await;
        assert_eq!(file["status"], "failed", "{name}: {file}");
        assert_eq!(file["reason_code"], code, "{name}: {file}");
        assert_eq!(file["kind"], json!(kind), "{name}: {file}");
        assert!(!file["reason"].as_str().unwrap().is_empty(), "{name}");
        assert_eq!(file["chunk_count"], Value::Null, "{name}");
        // A failed file stays downloadable as it was.
        let got = download(&hub, &token, &id(&file)).await;
        assert_eq!(got.status, 200, "{name}");
    }
    let bomb_row = hub
        .texts("SELECT reason FROM knowledge_files WHERE name = 'bomb.docx'")
        .await;
    assert_eq!(bomb_row, ["The DOCX file unpacks to more than 50 MB"]);

    // A PDF named .docx is read as the PDF it is.
    let renamed = hub.uploaded(&token, "report.docx", None, pdf).await;
    assert_eq!(
        (&renamed["status"], &renamed["kind"]),
        (&json!("ready"), &json!("pdf"))
    );
    // A long line without spaces within the limit is cut into chunks.
    let line = hub
        .uploaded(&token, "long.txt", None, "y".repeat(50_000).into_bytes())
        .await;
    assert_eq!(line["status"], "ready");
    assert!(line["chunk_count"].as_i64().unwrap() >= 30, "{line}");
    // Control characters are dropped from the text, the bytes stay as sent.
    let controls = "Bell\u{7} and escape\u{1b}[1m Zitrone\u{8}.\r\nTabs\tstay.";
    let text = hub
        .uploaded(&token, "controls.txt", None, controls.as_bytes().to_vec())
        .await;
    assert_eq!(text["status"], "ready");
    let chunk = hub
        .texts(&format!(
            "SELECT text FROM knowledge_chunks WHERE file_id = '{}'",
            id(&text)
        ))
        .await;
    assert_eq!(chunk, ["Bell and escape[1m Zitrone.\nTabs\tstay."]);
    assert_eq!(found(&hub, &token, "Zitrone").await, [id(&text)]);

    // Refused before anything is stored: 0 bytes, over the size limit.
    let before: i64 = hub.scalar("SELECT count(*) FROM knowledge_files").await;
    let empty = hub.upload(&token, "empty.pdf", None, Vec::new()).await;
    empty.assert_error(400, "invalid_input");
    assert_eq!(empty.body["error"]["details"]["field"], "body");
    let big = hub
        .upload(&token, "big.txt", None, vec![b'a'; 1_000_001])
        .await;
    big.assert_error(413, "payload_too_large");
    assert_eq!(big.body["error"]["details"]["limit_bytes"], 1_000_000);
    let after: i64 = hub.scalar("SELECT count(*) FROM knowledge_files").await;
    assert_eq!(after, before);

    // Nothing else was harmed.
    assert_eq!(found(&hub, &token, "Brücke").await, [id(&good)]);
    let got = download(&hub, &token, &id(&good)).await;
    assert_eq!(got.bytes, "Die Brücke ist lang.".as_bytes());
    assert_eq!(
        got.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[tokio::test]
async fn nobody_reaches_another_users_files_or_collections() {
    let hub = Hub::spawn(|o| o).await;
    let alice = hub.user("alice@example.com").await;
    let bob = hub.user("bob@example.com").await;
    let (admin, _) = hub.admin("root@example.com").await;

    let collection = hub
        .post(
            "/api/knowledge/collections",
            &alice,
            json!({"name": "Geheim", "description": "Nur für mich"}),
        )
        .await
        .expect(201);
    let collection_id = id(&collection);
    let loose = hub
        .uploaded(
            &alice,
            "plan.txt",
            None,
            b"Der Geheimplan: Zugspitze.".to_vec(),
        )
        .await;
    let filed = hub
        .uploaded(
            &alice,
            "notiz.md",
            Some(&collection_id),
            b"# Notiz\n\nDas Passwort liegt im Tresor.".to_vec(),
        )
        .await;
    assert_eq!(found(&hub, &alice, "Zugspitze").await, [id(&loose)]);
    assert_eq!(found(&hub, &alice, "Tresor").await, [id(&filed)]);

    for intruder in [&bob, &admin] {
        for file in [&loose, &filed] {
            let path = format!("/api/knowledge/files/{}", id(file));
            hub.get(&path, intruder)
                .await
                .assert_error(404, "not_found");
            hub.get(&format!("{path}/content"), intruder)
                .await
                .assert_error(404, "not_found");
            hub.delete(&path, intruder)
                .await
                .assert_error(404, "not_found");
        }
        let listed = hub.get("/api/knowledge/files", intruder).await.expect(200);
        assert!(ids(&listed).is_empty(), "{listed}");
        assert!(found(&hub, intruder, "Zugspitze").await.is_empty());
        assert!(
            found(&hub, intruder, "Tresor Zugspitze or Passwort")
                .await
                .is_empty()
        );
        let collections = hub
            .get("/api/knowledge/collections", intruder)
            .await
            .expect(200);
        assert!(ids(&collections).is_empty(), "{collections}");
        let path = format!("/api/knowledge/collections/{collection_id}");
        hub.get(&path, intruder)
            .await
            .assert_error(404, "not_found");
        hub.patch(&path, intruder, json!({"name": "Meins"}))
            .await
            .assert_error(404, "not_found");
        hub.delete(&path, intruder)
            .await
            .assert_error(404, "not_found");
        // Naming the collection elsewhere does not reach it either.
        for answer in [
            hub.upload(
                intruder,
                "x.txt",
                Some(&collection_id),
                b"Eindringling".to_vec(),
            )
            .await,
            hub.get(
                &format!("/api/knowledge/files?collection_id={collection_id}"),
                intruder,
            )
            .await,
            search(
                &hub,
                intruder,
                "Tresor",
                &format!("&collection_id={collection_id}"),
            )
            .await,
        ] {
            answer.assert_error(400, "unknown_collection");
            assert_eq!(answer.body["error"]["details"]["field"], "collection_id");
        }
        // Their own copy of the same bytes is theirs, not Alice's.
        let own = hub
            .uploaded(
                intruder,
                "plan.txt",
                None,
                b"Der Geheimplan: Zugspitze.".to_vec(),
            )
            .await;
        assert_ne!(id(&own), id(&loose));
        assert_eq!(found(&hub, intruder, "Zugspitze").await, [id(&own)]);
        hub.delete(&format!("/api/knowledge/files/{}", id(&own)), intruder)
            .await
            .expect(204);
    }
    // Alice's files and collection are untouched.
    assert_eq!(found(&hub, &alice, "Zugspitze").await, [id(&loose)]);
    let mine = hub.get("/api/knowledge/files", &alice).await.expect(200);
    assert_eq!(ids(&mine), [id(&filed), id(&loose)]);
    hub.get(
        &format!("/api/knowledge/collections/{collection_id}"),
        &alice,
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn global_collections_are_everyones_to_read_and_the_admins_to_change() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("root@example.com").await;
    let (other_admin, _) = hub.admin("second@example.com").await;
    let user = hub.user("user@example.com").await;

    hub.post(
        "/api/knowledge/collections",
        &user,
        json!({"name": "Alle", "scope": "global"}),
    )
    .await
    .assert_error(403, "forbidden");
    let global = hub
        .post(
            "/api/knowledge/collections",
            &admin,
            json!({"name": "Handbuch", "description": "Für alle", "scope": "global"}),
        )
        .await
        .expect(201);
    assert_eq!(global["scope"], "global");
    let global_id = id(&global);
    let path = format!("/api/knowledge/collections/{global_id}");

    // Everyone reads it and its files.
    let seen = hub.get(&path, &user).await.expect(200);
    assert_eq!(
        (&seen["name"], &seen["editable"]),
        (&json!("Handbuch"), &json!(false))
    );
    let listed = hub
        .get("/api/knowledge/collections?scope=global", &user)
        .await
        .expect(200);
    assert_eq!(ids(&listed), [global_id.as_str()]);
    hub.upload(&user, "mine.txt", Some(&global_id), b"Hallo".to_vec())
        .await
        .assert_error(403, "forbidden");
    let file = hub
        .uploaded(
            &admin,
            "handbuch.md",
            Some(&global_id),
            "# Urlaub\n\nUrlaubsanträge gehen an die Personalabteilung."
                .as_bytes()
                .to_vec(),
        )
        .await;
    let file_path = format!("/api/knowledge/files/{}", id(&file));
    let as_user = hub.get(&file_path, &user).await.expect(200);
    assert_eq!(as_user["deletable"], false);
    assert_eq!(found(&hub, &user, "Personalabteilung").await, [id(&file)]);
    let got = download(&hub, &user, &id(&file)).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    let files = hub
        .get(
            &format!("/api/knowledge/files?collection_id={global_id}"),
            &user,
        )
        .await
        .expect(200);
    assert_eq!(ids(&files), [id(&file)]);

    // Only admins change it.
    hub.patch(&path, &user, json!({"name": "Meins"}))
        .await
        .assert_error(403, "forbidden");
    hub.delete(&path, &user)
        .await
        .assert_error(403, "forbidden");
    hub.delete(&file_path, &user)
        .await
        .assert_error(403, "forbidden");
    hub.patch(&path, &admin, json!({}))
        .await
        .assert_error(400, "invalid_input");
    let changed = hub
        .patch(
            &path,
            &admin,
            json!({"description": "Für alle Mitarbeitenden"}),
        )
        .await
        .expect(200);
    assert_eq!(changed["description"], "Für alle Mitarbeitenden");
    // Another admin may delete a file of a global collection.
    hub.delete(&file_path, &other_admin).await.expect(204);
    assert!(found(&hub, &user, "Personalabteilung").await.is_empty());
    hub.delete(&path, &admin).await.expect(204);
    hub.get(&path, &user).await.assert_error(404, "not_found");

    // Personal collections and files are not audited; global changes are.
    let mine = hub
        .post(
            "/api/knowledge/collections",
            &user,
            json!({"name": "Privat"}),
        )
        .await
        .expect(201);
    hub.delete(&format!("/api/knowledge/collections/{}", id(&mine)), &user)
        .await
        .expect(204);
    let actions: Vec<String> = hub
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a.starts_with("knowledge."))
        .collect();
    assert_eq!(
        actions,
        [
            "knowledge.collection_created",
            "knowledge.file_added",
            "knowledge.collection_updated",
            "knowledge.file_deleted",
            "knowledge.collection_deleted",
        ]
    );
}

#[tokio::test]
async fn hostile_names_are_cleaned_and_cannot_inject_headers() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("eve@example.com").await;
    let file = hub
        .uploaded(
            &token,
            "C:\\tmp\\a\"b\r\nX-Evil: 1\u{202e} Häuser.txt",
            None,
            b"Inhalt".to_vec(),
        )
        .await;
    assert_eq!(file["name"], "a\"bX-Evil: 1 Häuser.txt");
    let got = download(&hub, &token, &id(&file)).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("x-evil"), None);
    assert_eq!(
        got.header("content-disposition"),
        Some(
            "attachment; filename=\"abX-Evil: 1 H_user.txt\"; \
             filename*=UTF-8''a%22bX-Evil%3A%201%20H%C3%A4user.txt"
        )
    );
    let traversal = hub
        .uploaded(&token, "../../etc/passwd", None, b"root".to_vec())
        .await;
    assert_eq!(traversal["name"], "passwd");
}

#[tokio::test]
async fn keyword_search_ranks_german_and_english_stems() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("reader@example.com").await;
    let many = hub
        .uploaded(
            &token,
            "viele.txt",
            None,
            "Das Haus am See. Ein Haus im Wald. Noch ein Haus am Berg."
                .as_bytes()
                .to_vec(),
        )
        .await;
    let one = hub
        .uploaded(
            &token,
            "eins.txt",
            None,
            "Die alten Häuser stehen am Fluss, und der Fluss ist breit."
                .as_bytes()
                .to_vec(),
        )
        .await;
    let english = hub
        .uploaded(
            &token,
            "english.txt",
            None,
            "The houses by the river were built in spring."
                .as_bytes()
                .to_vec(),
        )
        .await;
    // "Haus" finds "Häuser" by its German stem; three times "Haus" ranks above one "Häuser".
    let results = search(&hub, &token, "Haus", "").await.expect(200);
    let hits = results["items"].as_array().unwrap();
    let files: Vec<&str> = hits
        .iter()
        .map(|h| h["file_id"].as_str().unwrap())
        .collect();
    assert_eq!(files, [id(&many), id(&one)], "{results}");
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores[0] > scores[1] && scores[1] > 0.0, "{scores:?}");
    assert!(
        hits[1]["snippet"].as_str().unwrap().contains("**Häuser**"),
        "{results}"
    );
    // And the other way round.
    let mut both = found(&hub, &token, "Häuser").await;
    both.sort();
    let mut expected = vec![id(&many), id(&one)];
    expected.sort();
    assert_eq!(both, expected);
    // English stems: "house" finds "houses", "rivers" finds "river".
    assert_eq!(found(&hub, &token, "house").await, [id(&english)]);
    assert_eq!(found(&hub, &token, "rivers").await, [id(&english)]);
    // Web search syntax: a phrase, an exclusion, a limit.
    assert_eq!(found(&hub, &token, "\"am See\"").await, [id(&many)]);
    assert_eq!(found(&hub, &token, "Haus -Wald").await, [id(&one)]);
    let limited = search(&hub, &token, "Haus", "&limit=1").await.expect(200);
    assert_eq!(limited["items"].as_array().unwrap().len(), 1);
}
