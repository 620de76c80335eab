//! `/api/auth/*`: sign up, sign in, sign out, who am I, and the CSRF token.
//!
//! Handlers only translate HTTP: the rules live in `accounts`, the queries in `store`.

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{self, Password, Username},
    error::{ApiError, ErrorBody},
    http::{
        cookies,
        json::ApiJson,
        session::{ClientIp, CurrentUser, MaybeUser},
    },
    store::{self, users},
    AppState,
};

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    /// 3 to 32 letters, digits, `_` and `-` (stored lowercase). Sign-in accepts any string.
    #[schema(example = "ada")]
    pub username: String,
    /// 8 to 128 characters, not a common password nor the username (at sign-up).
    #[schema(example = "correct horse battery")]
    pub password: String,
}

/// Who is signed in.
#[derive(Serialize, ToSchema)]
pub struct Account {
    pub username: String,
}

/// The token to send back as `X-CSRF-Token` (the same value as the `trailmap_csrf` cookie).
#[derive(Serialize, ToSchema)]
pub struct CsrfToken {
    pub token: String,
}

/// `POST /api/auth/signup` → 201 `{username}`, signed in.
#[utoipa::path(
    post,
    path = "/auth/signup",
    tag = "auth",
    summary = "Create an account and sign in",
    description = "Sets the `trailmap_session` cookie and a fresh `trailmap_csrf` cookie.",
    request_body = Credentials,
    security(("csrf_token" = [])),
    responses(
        (status = 201, description = "Signed up and signed in", body = Account,
            headers(("Set-Cookie" = String, description = "The session and CSRF cookies"))),
        (status = 400, description = "Malformed JSON, or an invalid username or password", body = ErrorBody),
        (status = 403, description = "Failed the CSRF check", body = ErrorBody),
        (status = 409, description = "The username is taken (`username_taken`)", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address, or from everyone, this hour \
            (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "No password hashing thread was free in time (`overloaded`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let username = Username::parse(&credentials.username).map_err(ApiError::BadRequest)?;
    let password =
        Password::parse(&credentials.password, username.as_str()).map_err(ApiError::BadRequest)?;
    // Counted whatever comes of it, a taken name included: names cannot be tried faster.
    let attempt = state
        .limiter
        .begin_signup(ip, store::unix_now())
        .await?
        .map_err(|refusal| too_many(refusal, "too many sign-ups"))?;
    let hash = match state
        .hashing
        .run(move || accounts::hash_password(password.expose()))
        .await
    {
        Ok(hash) => hash.map_err(ApiError::Internal)?,
        Err(busy) => {
            state.limiter.signup_not_done(attempt).await?;
            return Err(overloaded(busy));
        }
    };
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
#[utoipa::path(
    post,
    path = "/auth/signin",
    tag = "auth",
    summary = "Sign in",
    description = "Starts a new session (the session id rotates at every sign-in) and sets a \
        fresh `trailmap_csrf` cookie.",
    request_body = Credentials,
    security(("csrf_token" = [])),
    responses(
        (status = 200, description = "Signed in", body = Account,
            headers(("Set-Cookie" = String, description = "The session and CSRF cookies"))),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong username or password (`invalid_credentials`)", body = ErrorBody),
        (status = 403, description = "Failed the CSRF check", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 429, description = "Too many failed attempts (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "No password hashing thread was free in time (`overloaded`); \
            the attempt does not count as a failure", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn signin(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    // Counted before the password is checked, so a burst cannot outrun the count.
    let attempt = state
        .limiter
        .begin_signin(&credentials.username, ip, store::unix_now())
        .await?
        .map_err(|refusal| too_many(refusal, "too many failed sign-ins"))?;
    let user = match Username::parse(&credentials.username) {
        Ok(username) => users::find(&state.db, &username).await?,
        Err(_) => None,
    };
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    let password = credentials.password;
    let checked = state
        .hashing
        .run(move || accounts::verify_password(&password, hash.as_deref()))
        .await;
    let matches = match checked {
        Ok(matches) => matches,
        Err(busy) => {
            // Not checked, so not a failure either.
            state.limiter.signin_not_checked(attempt).await?;
            return Err(overloaded(busy));
        }
    };
    match user.filter(|_| matches) {
        Some(user) => {
            if let Err(error) = state.limiter.signin_succeeded(attempt).await {
                tracing::warn!(%error, "could not clear the failures of a successful sign-in");
            }
            start_session(&state, &headers, user.id, &user.username, StatusCode::OK).await
        }
        None => {
            state.limiter.signin_failed(attempt);
            Err(ApiError::Unauthorized {
                code: "invalid_credentials",
                message: "wrong username or password".into(),
            })
        }
    }
}

fn too_many(refusal: accounts::Refusal, what: &'static str) -> ApiError {
    ApiError::TooManyRequests {
        retry_after: refusal.retry_after,
        what,
    }
}

/// `POST /api/auth/signout` → 204; the session is deleted and the cookie cleared.
#[utoipa::path(
    post,
    path = "/auth/signout",
    tag = "auth",
    summary = "Sign out",
    security(("csrf_token" = [])),
    responses(
        (status = 204, description = "Signed out; the session cookie is cleared and a guest's \
            CSRF token set",
            headers(("Set-Cookie" = String, description = "Clears the session cookie, sets a new `trailmap_csrf`"))),
        (status = 403, description = "Failed the CSRF check", body = ErrorBody),
    )
)]
pub async fn signout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = state.csrf.session(&headers) {
        let _turn = store::write_turn(&state.db).await;
        store::sessions::delete(&state.db, token).await?;
    }
    let secure = state.cookie_policy.is_https(&headers);
    // The old token was the session's: the browser is a guest now, with a guest's token.
    let csrf_token = state.csrf.key.mint(None).map_err(ApiError::internal)?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    let response_headers = response.headers_mut();
    response_headers.append(header::SET_COOKIE, cookies::clear_session(secure));
    response_headers.append(header::SET_COOKIE, cookies::csrf(&csrf_token, secure));
    Ok(response)
}

/// `GET /api/auth/me` → 200 `{username}` or 401.
#[utoipa::path(
    get,
    path = "/auth/me",
    tag = "auth",
    summary = "The signed-in account",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The signed-in account", body = Account),
        (status = 401, description = "No valid session (`unauthorized`)", body = ErrorBody),
    )
)]
pub async fn me(CurrentUser(user): CurrentUser) -> Json<Account> {
    Json(Account {
        username: user.username,
    })
}

/// `GET /api/auth/session` → `{username}`, `null` for a guest: what the browser asks on every
/// page, so a guest gets a 200 rather than a 401 (which browsers log as an error).
#[utoipa::path(
    get,
    path = "/auth/session",
    tag = "auth",
    summary = "Who is signed in, if anyone",
    security((), ("session_cookie" = [])),
    responses((status = 200, description = "The session; `username` is `null` for a guest", body = Session))
)]
pub async fn session(MaybeUser(user): MaybeUser) -> Json<Session> {
    Json(Session {
        username: user.map(|user| user.username),
    })
}

/// The signed-in user's name, `null` for a guest.
#[derive(Serialize, ToSchema)]
pub struct Session {
    #[schema(required = true)]
    pub username: Option<String>,
}

/// `GET /api/auth/csrf` → `{token}` and the `trailmap_csrf` cookie (the current one is kept
/// if it is valid for the browser's session, so other open tabs keep working).
#[utoipa::path(
    get,
    path = "/auth/csrf",
    tag = "auth",
    summary = "A CSRF token",
    description = "Every POST under `/api` must send this token as `X-CSRF-Token` along with \
        the `trailmap_csrf` cookie set here (`__Host-trailmap_csrf` over HTTPS). The token is \
        signed for the session cookie the browser holds (none for a guest): sign-up, sign-in \
        and sign-out set a new one, and a 403 `csrf` after the session changed elsewhere is \
        cured by asking here again.",
    responses((status = 200, description = "The token, also set as the `trailmap_csrf` cookie", body = CsrfToken,
        headers(("Set-Cookie" = String, description = "The `trailmap_csrf` cookie"))))
)]
pub async fn csrf(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let token = match state.csrf.valid_token(&headers) {
        Some(token) => token.to_owned(),
        None => state
            .csrf
            .key
            .mint(state.csrf.session(&headers))
            .map_err(ApiError::internal)?,
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
    let session_token = accounts::new_token().map_err(ApiError::internal)?;
    let csrf_token = state
        .csrf
        .key
        .mint(Some(&session_token))
        .map_err(ApiError::internal)?;
    let previous = state.csrf.session(headers);
    store::sessions::create(
        &state.db,
        &session_token,
        user_id,
        previous,
        store::unix_now(),
    )
    .await?;
    let secure = state.cookie_policy.is_https(headers);
    let mut response = (
        status,
        Json(Account {
            username: username.to_owned(),
        }),
    )
        .into_response();
    let response_headers = response.headers_mut();
    response_headers.append(header::SET_COOKIE, cookies::session(&session_token, secure));
    response_headers.append(header::SET_COOKIE, cookies::csrf(&csrf_token, secure));
    response_headers.insert(header::CACHE_CONTROL, "no-store".parse().expect("valid"));
    Ok(response)
}

fn overloaded(busy: accounts::Busy) -> ApiError {
    ApiError::Overloaded {
        retry_after: busy.retry_after,
    }
}
