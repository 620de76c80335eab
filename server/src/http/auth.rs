//! `/api/auth/*`: sign up, sign in, sign out, who am I, and the CSRF token.
//!
//! Handlers only translate HTTP: the rules live in `accounts`, the queries in `store`.

use std::time::Instant;

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};

use crate::{
    accounts::{self, looks_like_token, Password, Username},
    error::ApiError,
    http::{
        cookies,
        json::ApiJson,
        session::{ClientIp, CurrentUser, MaybeUser},
    },
    store::{self, users},
    AppState,
};

#[derive(Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Who is signed in.
#[derive(Serialize)]
pub struct Account {
    pub username: String,
}

#[derive(Serialize)]
pub struct CsrfToken {
    pub token: String,
}

/// `POST /api/auth/signup` → 201 `{username}`, signed in.
pub async fn signup(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let username = Username::parse(&credentials.username).map_err(ApiError::BadRequest)?;
    let password =
        Password::parse(&credentials.password, username.as_str()).map_err(ApiError::BadRequest)?;
    let hash = blocking(move || accounts::hash_password(password.expose()))
        .await?
        .map_err(ApiError::Internal)?;
    let user_id = users::create(&state.db, &username, &hash, store::unix_now())
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: "username_taken",
            message: format!("the username `{username}` is taken"),
        })?;
    start_session(
        &state,
        &headers,
        user_id,
        username.as_str(),
        StatusCode::CREATED,
    )
    .await
}

/// `POST /api/auth/signin` → 200 `{username}` with a new session; 401 on wrong credentials,
/// 429 after too many failures.
pub async fn signin(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let now = Instant::now();
    state
        .limiter
        .check(&credentials.username, ip, now)
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let user = match Username::parse(&credentials.username) {
        Ok(username) => users::find(&state.db, &username).await?,
        Err(_) => None,
    };
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    let password = credentials.password;
    let matches = blocking(move || accounts::verify_password(&password, hash.as_deref())).await?;
    match user.filter(|_| matches) {
        Some(user) => {
            state.limiter.forget_account(&credentials.username);
            start_session(&state, &headers, user.id, &user.username, StatusCode::OK).await
        }
        None => {
            state.limiter.record_failure(&credentials.username, ip, now);
            Err(ApiError::Unauthorized {
                code: "invalid_credentials",
                message: "wrong username or password".into(),
            })
        }
    }
}

/// `POST /api/auth/signout` → 204; the session is deleted and the cookie cleared.
pub async fn signout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(id) = cookies::get(&headers, cookies::SESSION).filter(|id| looks_like_token(id)) {
        store::sessions::delete(&state.db, id).await?;
    }
    let secure = state.cookie_policy.is_https(&headers);
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookies::clear_session(secure))],
    )
        .into_response())
}

/// `GET /api/auth/me` → 200 `{username}` or 401.
pub async fn me(CurrentUser(user): CurrentUser) -> Json<Account> {
    Json(Account {
        username: user.username,
    })
}

/// `GET /api/auth/session` → `{username}`, `null` for a guest: what the browser asks on every
/// page, so a guest gets a 200 rather than a 401 (which browsers log as an error).
pub async fn session(MaybeUser(user): MaybeUser) -> Json<Session> {
    Json(Session {
        username: user.map(|user| user.username),
    })
}

#[derive(Serialize)]
pub struct Session {
    pub username: Option<String>,
}

/// `GET /api/auth/csrf` → `{token}` and the `trailmap_csrf` cookie (the current one is kept
/// if the browser has one, so other open tabs keep working).
pub async fn csrf(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let token = match cookies::get(&headers, cookies::CSRF).filter(|t| looks_like_token(t)) {
        Some(token) => token.to_owned(),
        None => accounts::new_token().map_err(ApiError::internal)?,
    };
    let secure = state.cookie_policy.is_https(&headers);
    Ok((
        [
            (header::SET_COOKIE, cookies::csrf(&token, secure)),
            (header::CACHE_CONTROL, "no-store".parse().expect("valid")),
        ],
        Json(CsrfToken { token }),
    )
        .into_response())
}

/// A new session (replacing the browser's old one: ids rotate at every sign-in) and a new
/// CSRF token, both as cookies.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
    username: &str,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let session_id = accounts::new_token().map_err(ApiError::internal)?;
    let csrf_token = accounts::new_token().map_err(ApiError::internal)?;
    let previous = cookies::get(headers, cookies::SESSION).filter(|id| looks_like_token(id));
    store::sessions::create(&state.db, &session_id, user_id, previous, store::unix_now()).await?;
    let secure = state.cookie_policy.is_https(headers);
    let mut response = (
        status,
        Json(Account {
            username: username.to_owned(),
        }),
    )
        .into_response();
    let response_headers = response.headers_mut();
    response_headers.append(header::SET_COOKIE, cookies::session(&session_id, secure));
    response_headers.append(header::SET_COOKIE, cookies::csrf(&csrf_token, secure));
    response_headers.insert(header::CACHE_CONTROL, "no-store".parse().expect("valid"));
    Ok(response)
}

/// Runs CPU-heavy work (password hashing) off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)
}
