//! Extractors for who is asking: the signed-in user (from the session cookie) and the client's
//! IP address (for rate limiting).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::{
    error::ApiError,
    store::{self, sessions::SessionUser},
    AppState,
};

/// The signed-in user; 401 JSON when there is no valid session.
pub struct CurrentUser(pub SessionUser);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        MaybeUser::from_request_parts(parts, state)
            .await?
            .0
            .map(Self)
            .ok_or_else(ApiError::signed_out)
    }
}

/// The signed-in user, or `None` for a guest (no cookie, or an expired session).
pub struct MaybeUser(pub Option<SessionUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = state.cookie_policy.session_token(&parts.headers) else {
            return Ok(Self(None));
        };
        Ok(Self(
            store::sessions::find(&state.db, token, store::unix_now()).await?,
        ))
    }
}

/// The peer's IP address. Proxy headers are not trusted for this (anyone can send them); behind
/// a reverse proxy every client shares the proxy's address and so its per-IP limit.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip()),
        ))
    }
}
