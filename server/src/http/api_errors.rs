//! Every answer under `/api` that is an error is JSON `{error, message}`, whoever produced it.
//!
//! Our handlers already answer through `ApiError`, but some answers come from elsewhere: axum's
//! router (a 405 for a method a route does not have, with an empty body), tower-http's limits
//! (a 413 in plain text) and Leptos's server functions under `/api/fn/…`, which answer bad
//! arguments with a 500 whose body is `Args|missing field …` and read bodies of any size.
//!
//! So this middleware, on the whole router but acting only under `/api/`:
//! - refuses a body declared larger than `API_MAX_BODY` (413) before anything reads it, even
//!   where the handler would ignore it;
//! - guards the server functions: their body must be a form (415 otherwise), at most
//!   `SERVER_FN_MAX_BODY` bytes (413; a chunked body is cut off there, not read to the end)
//!   and UTF-8 (400); their argument errors become 400s;
//! - turns any other non-JSON error answer into the JSON shape, keeping its status and headers
//!   (`Allow` on a 405).

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};

use crate::{
    error::{ApiError, ErrorBody},
    http::json::short,
};

/// The largest body any `/api` endpoint takes (a sync push).
pub const API_MAX_BODY: usize = trailmap_core::progress::PushRequest::MAX_BODY_BYTES;
/// The most a server function's arguments may take (they are a slug or nothing).
pub const SERVER_FN_MAX_BODY: usize = 8 * 1024;
/// Where Leptos mounts the server functions.
const SERVER_FN_PREFIX: &str = "/api/fn/";
/// The header server_fn puts on its error answers.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";

pub async fn json_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > API_MAX_BODY as u64) {
        return ApiError::PayloadTooLarge(format!("the request body is over {API_MAX_BODY} bytes"))
            .into_response();
    }
    let response = if path.starts_with(SERVER_FN_PREFIX) && request.method() == Method::POST {
        match server_fn_request(request).await {
            Ok(request) => server_fn_response(next.run(request).await).await,
            Err(error) => return error.into_response(),
        }
    } else {
        next.run(request).await
    };
    as_json(response).await
}

/// The request with its body read, if it is one a server function may be given.
async fn server_fn_request(request: Request) -> Result<Request, ApiError> {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.split(';').next().is_some_and(|kind| {
                kind.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !is_form {
        return Err(ApiError::UnsupportedMediaType(
            "server functions take `application/x-www-form-urlencoded` arguments".into(),
        ));
    }
    let (parts, body) = request.into_parts();
    let bytes = read_body(body, SERVER_FN_MAX_BODY).await?;
    if std::str::from_utf8(&bytes).is_err() {
        return Err(ApiError::BadRequest("the arguments are not UTF-8".into()));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Reads a whole body of at most `limit` bytes: 413 past it (without reading further), 408
/// when it does not arrive in time, 400 when the connection fails.
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|error| {
        let cause = error.into_inner();
        if cause.is::<http_body_util::LengthLimitError>() {
            ApiError::PayloadTooLarge(format!("the request body is over {limit} bytes"))
        } else {
            ApiError::BadRequest(format!("could not read the request body: {cause}"))
        }
    })
}

/// A server function's error answer as JSON: its argument errors are the client's (400).
async fn server_fn_response(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let body = read_body(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let (kind, detail) = text.split_once('|').unwrap_or(("", &text));
    match kind {
        "Args" | "MissingArg" | "Deserialization" => {
            ApiError::BadRequest(format!("bad arguments: {}", short(detail))).into_response()
        }
        _ => ApiError::Internal(format!("server function: {text}")).into_response(),
    }
}

/// A non-JSON error answer in the JSON shape, same status and headers.
async fn as_json(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = read_body(body, 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let message = match text.trim() {
        "" => status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_lowercase(),
        text => short(text),
    };
    if status.is_server_error() {
        tracing::error!(%status, %message, "request failed");
    }
    let body = ErrorBody {
        error: code_of(status),
        message,
    };
    let json = Json(body).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, json.into_body())
}

/// The `error` code of a status, as `ApiError` names them.
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::NOT_IMPLEMENTED => "not_implemented",
        StatusCode::SERVICE_UNAVAILABLE => "overloaded",
        status if status.is_client_error() => "bad_request",
        _ => "internal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_api_error_codes() {
        assert_eq!(
            code_of(StatusCode::METHOD_NOT_ALLOWED),
            "method_not_allowed"
        );
        assert_eq!(code_of(StatusCode::PAYLOAD_TOO_LARGE), "payload_too_large");
        assert_eq!(code_of(StatusCode::IM_A_TEAPOT), "bad_request");
        assert_eq!(code_of(StatusCode::BAD_GATEWAY), "internal");
    }
}
