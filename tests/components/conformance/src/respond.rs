//! Writing responses through the streaming `ResponseOutparam` API.

use spin_sdk::http::{Fields, OutgoingResponse, ResponseOutparam};

/// A response head with `status` and `content-type`.
pub fn head(status: u16, content_type: &str) -> OutgoingResponse {
    let headers =
        Fields::from_list(&[("content-type".to_owned(), content_type.as_bytes().to_vec())])
            .expect("valid header");
    let response = OutgoingResponse::new(headers);
    response.set_status_code(status).expect("valid status");
    response
}

/// Sends `value` as a complete JSON response.
pub async fn json(out: ResponseOutparam, status: u16, value: &serde_json::Value) {
    let body = serde_json::to_vec(value).expect("serialisable JSON");
    out.set_with_body(head(status, "application/json"), body)
        .await
        .expect("response body written");
}
