//! The HTTP layer's one error type: every API failure becomes a short JSON body
//! `{ "error": code, "message": text }` with a 4xx or 5xx status. Causes of 5xx are logged,
//! never sent.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed input: bad JSON, wrong types, invalid values.
    #[error("{0}")]
    BadRequest(String),
    /// No valid session, or wrong credentials (`code` tells which).
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// The request failed the CSRF check.
    #[error("{0}")]
    Csrf(String),
    #[error("{0}")]
    NotFound(String),
    /// A request for something the server does not do (an oEmbed format other than JSON).
    #[error("{0}")]
    NotImplemented(String),
    /// The request clashes with stored state (`code`: `username_taken`, `gap`).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed but refers to something that does not exist (an unknown topic).
    #[error("{0}")]
    Unprocessable(String),
    /// A rate limit is used up (`what` says which: "too many failed sign-ins").
    #[error("{what}; try again in {retry_after} seconds")]
    TooManyRequests {
        retry_after: u64,
        what: &'static str,
    },
    /// The server is at capacity for this kind of work (password hashing); retry later.
    #[error("the server is busy; try again in {retry_after} seconds")]
    Overloaded { retry_after: u64 },
    /// The route exists, the method does not.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The body did not arrive in time.
    #[error("{0}")]
    RequestTimeout(String),
    #[error("internal error")]
    Internal(String),
}

/// Every API error's body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    /// A stable, machine-readable code: `bad_request`, `unauthorized`,
    /// `invalid_credentials`, `csrf`, `not_found`, `username_taken`, `gap`,
    /// `payload_too_large`, `unsupported_media_type`, `unprocessable`, `rate_limited`,
    /// `not_implemented`, `method_not_allowed`, `request_timeout`, `overloaded`, `internal`.
    #[schema(example = "not_found")]
    pub error: &'a str,
    /// A short explanation for people; its wording may change.
    #[schema(example = "no roadmap is called `nope`")]
    pub message: String,
}

impl ApiError {
    /// 401 for a request that needs a session and has none.
    pub fn signed_out() -> Self {
        Self::Unauthorized {
            code: "unauthorized",
            message: "sign in first".into(),
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            Self::Csrf(_) => (StatusCode::FORBIDDEN, "csrf"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::NotImplemented(_) => (StatusCode::NOT_IMPLEMENTED, "not_implemented"),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Overloaded { .. } => (StatusCode::SERVICE_UNAVAILABLE, "overloaded"),
            Self::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::RequestTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::internal(format!("database: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let body = ErrorBody {
            error: code,
            message: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        if let Self::TooManyRequests { retry_after, .. } | Self::Overloaded { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        }
        response
    }
}
