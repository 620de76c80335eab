//! `ApiJson`: axum's `Json` extractor with our error shape. axum answers a bad body with plain
//! text; the API always answers `{ "error", "message" }`: 400 for malformed JSON or wrong
//! types, 413 for a body over the limit, 415 without a JSON content type, 408 for a body that
//! did not arrive in time.

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
    Json,
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(api_error(rejection)),
        }
    }
}

/// Reads a body the way `ApiJson` does once the content type and size are checked (axum's
/// `Json::from_bytes`, the same errors): for pure functions that take the raw body, such as
/// `crate::http::sync::parse_push`.
pub fn from_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    Json::<T>::from_bytes(body)
        .map(|Json(value)| value)
        .map_err(api_error)
}

fn api_error(rejection: JsonRejection) -> ApiError {
    if crate::connections::is_body_timeout(&rejection) {
        return ApiError::RequestTimeout("the request body did not arrive in time".into());
    }
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge("the request body is too large".into())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("send JSON with `Content-Type: application/json`".into())
        }
        _ => ApiError::BadRequest(short(&rejection.body_text())),
    }
}

/// serde's messages (and other error texts) quote parts of the input: keep them short.
pub(crate) fn short(message: &str) -> String {
    const MAX: usize = 300;
    if message.chars().count() <= MAX {
        message.to_owned()
    } else {
        let mut cut: String = message.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}
