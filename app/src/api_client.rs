//! The browser's calls to the account and sync JSON API (`/api/auth/*`, `/api/sync/*`).
//!
//! Every state-changing request carries the `X-CSRF-Token` header, whose value is the
//! `trailmap_csrf` cookie (`__Host-trailmap_csrf` over HTTPS; double-submit, and signed by the
//! server for the session); the session itself is an HttpOnly cookie the browser sends on its
//! own. A token refused as not this session's (the session changed in another tab, or the
//! server's key did) is replaced once from `GET /api/auth/csrf` and the request sent again. Errors come back as [`ApiFailure`]: the server's
//! `{error, message}` body, or `Offline` when the request never got an answer.
//!
//! Only the `hydrate` build talks to the network; on the server every call answers
//! `Offline` (nothing calls them there: they run from effects and event handlers).

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::{
    links,
    progress::{PullResponse, PushRequest, PushResponse, Status, SyncFailure, Transport},
};

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiFailure {
    /// No answer: the browser is offline or the server unreachable.
    Offline,
    /// The server answered with an error status and its JSON body.
    Status {
        status: u16,
        code: String,
        message: String,
    },
}

impl ApiFailure {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Offline => None,
            Self::Status { status, .. } => Some(*status),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Offline => "the server cannot be reached".into(),
            Self::Status { message, .. } => message.clone(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Me {
    pub username: String,
}

#[derive(Deserialize)]
struct Session {
    username: Option<String>,
}

#[derive(Serialize)]
struct Credentials<'a> {
    username: &'a str,
    password: &'a str,
}

/// What a share token opens, as far as the browser needs it (`GET /api/shared/{token}`;
/// notes are never shown in an embed, so they are not read).
#[derive(Clone, Debug, Deserialize)]
pub struct SharedProgress {
    pub display_name: String,
    pub statuses: Vec<SharedStatus>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SharedStatus {
    pub topic: String,
    pub status: Status,
}

/// Someone's shared progress; a `404` when the token opens nothing (any more).
pub async fn shared_progress(token: &str) -> Result<SharedProgress, ApiFailure> {
    get_json(&links::api::shared(token)).await
}

/// The signed-in learner's share of a roadmap (`/api/shares/{slug}`).
#[derive(Clone, Debug, Deserialize)]
pub struct ShareState {
    pub enabled: bool,
    pub display_name: Option<String>,
    pub include_notes: bool,
    /// Only in the answer that made the link (the server keeps only its hash).
    pub link: Option<ShareLink>,
}

/// A share link's addresses (paths on this site).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ShareLink {
    pub token: String,
    pub page: String,
    pub badge: String,
    pub embed: String,
}

#[derive(Serialize)]
struct ShareRequest<'a> {
    display_name: &'a str,
    include_notes: bool,
}

pub async fn share_state(slug: &str) -> Result<ShareState, ApiFailure> {
    get_json(&links::api::share(slug)).await
}

/// Turns sharing on (a new link in the answer) or changes its settings (no link).
pub async fn enable_share(
    slug: &str,
    display_name: &str,
    include_notes: bool,
) -> Result<ShareState, ApiFailure> {
    let request = ShareRequest {
        display_name,
        include_notes,
    };
    send_json(Verb::Put, &links::api::share(slug), &request).await
}

pub async fn regenerate_share(slug: &str) -> Result<ShareState, ApiFailure> {
    post_json(&links::api::share_regenerate(slug), &serde_json::json!({})).await
}

/// The server answers 204 with no body: that is success.
pub async fn disable_share(slug: &str) -> Result<(), ApiFailure> {
    send_json::<(), _>(
        Verb::Delete,
        &links::api::share(slug),
        &serde_json::json!({}),
    )
    .await
}

/// The signed-in user, or `None` for a guest.
pub async fn me() -> Result<Option<Me>, ApiFailure> {
    let session = get_json::<Session>(links::api::SESSION).await?;
    Ok(session.username.map(|username| Me { username }))
}

pub async fn sign_in(username: &str, password: &str) -> Result<Me, ApiFailure> {
    post_json(links::api::SIGN_IN, &Credentials { username, password }).await
}

pub async fn sign_up(username: &str, password: &str) -> Result<Me, ApiFailure> {
    post_json(links::api::SIGN_UP, &Credentials { username, password }).await
}

/// The server answers 204 with no body: that is success.
pub async fn sign_out() -> Result<(), ApiFailure> {
    post_json::<(), _>(links::api::SIGN_OUT, &serde_json::json!({})).await
}

/// One topic's details (`links::api::topic_details`), cached for good by the browser.
pub async fn topic_details(path: &str) -> Result<crate::roadmap::TopicDetails, ApiFailure> {
    get_json(path).await
}

/// The words a roadmap's text is searched with (`links::api::search_words`).
pub async fn search_words(path: &str) -> Result<crate::search::SearchWords, ApiFailure> {
    get_json(path).await
}

/// The sync API over the browser's fetch: the transport of the core's sync driver.
pub struct SyncApi;

impl Transport for SyncApi {
    /// Whether the browser believes it is online (always true on the server).
    fn online(&self) -> bool {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window().is_none_or(|w| w.navigator().on_line())
        }
        #[cfg(not(feature = "hydrate"))]
        {
            true
        }
    }

    async fn push(&self, slug: &str, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        post_json(&links::api::sync_push(slug), request)
            .await
            .map_err(SyncFailure::from)
    }

    async fn pull(&self, slug: &str, since: u64) -> Result<PullResponse, SyncFailure> {
        get_json(&links::api::sync_pull(slug, since))
            .await
            .map_err(SyncFailure::from)
    }
}

impl From<ApiFailure> for SyncFailure {
    fn from(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Offline => Self::Offline,
            ApiFailure::Status {
                status, message, ..
            } => Self::Refused { status, message },
        }
    }
}

#[cfg(any(feature = "hydrate", test))]
#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    message: String,
}

/// Reads a 2xx body as `T`; an empty body reads as JSON `null`.
#[cfg(any(feature = "hydrate", test))]
fn decode_success<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiFailure> {
    let text = if text.trim().is_empty() { "null" } else { text };
    serde_json::from_str::<T>(text).map_err(|_| ApiFailure::Status {
        status,
        code: "decode".into(),
        message: if text == "null" {
            "the server sent an empty answer where data was expected".into()
        } else {
            "the server sent an answer this page does not understand; reload the page".into()
        },
    })
}

/// An error status's `{error, message}` body, or a plain message when it has none.
#[cfg(any(feature = "hydrate", test))]
fn decode_failure(status: u16, text: &str) -> ApiFailure {
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(body) => ApiFailure::Status {
            status,
            code: body.error,
            message: body.message,
        },
        Err(_) => ApiFailure::Status {
            status,
            code: String::new(),
            message: format!("the server answered {status}"),
        },
    }
}

#[cfg(feature = "hydrate")]
mod transport {
    use gloo_net::http::{Request, Response};
    use serde::{de::DeserializeOwned, Deserialize, Serialize};
    use wasm_bindgen::JsCast;

    use super::{ApiFailure, Verb};

    pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
        let response = Request::get(path)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|_| ApiFailure::Offline)?;
        read(response).await
    }

    pub async fn send_json<T: DeserializeOwned, B: Serialize>(
        verb: Verb,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        match send_json_with(verb, path, body, csrf_token().await?).await {
            Err(ApiFailure::Status {
                status: 403, code, ..
            }) if code == "csrf" => {
                send_json_with(verb, path, body, fresh_csrf_token().await?).await
            }
            answer => answer,
        }
    }

    async fn send_json_with<T: DeserializeOwned, B: Serialize>(
        verb: Verb,
        path: &str,
        body: &B,
        token: String,
    ) -> Result<T, ApiFailure> {
        let request = match verb {
            Verb::Post => Request::post(path),
            Verb::Put => Request::put(path),
            Verb::Delete => Request::delete(path),
        };
        let response = request
            .header("Accept", "application/json")
            .header("X-CSRF-Token", &token)
            .json(body)
            .map_err(|error| ApiFailure::Status {
                status: 0,
                code: "encode".into(),
                message: error.to_string(),
            })?
            .send()
            .await
            .map_err(|_| ApiFailure::Offline)?;
        read(response).await
    }

    /// A 2xx answer's JSON (an empty body, as a 204 sends, reads as `null`: fine for `()`
    /// and `Option`), or the error body of any other status. Never trusts the body to be
    /// JSON: an empty or non-JSON answer is a typed failure with a clear message.
    async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
        let status = response.status();
        let text = response.text().await.map_err(|_| ApiFailure::Offline)?;
        if (200..300).contains(&status) {
            return super::decode_success(status, &text);
        }
        Err(super::decode_failure(status, &text))
    }

    /// The CSRF cookie's value, fetching one first if the browser has none.
    async fn csrf_token() -> Result<String, ApiFailure> {
        // Over HTTPS the server reads only the prefixed name.
        match cookie("__Host-trailmap_csrf").or_else(|| cookie("trailmap_csrf")) {
            Some(token) => Ok(token),
            None => fresh_csrf_token().await,
        }
    }

    /// A token for the current session from the server (which also sets the cookie).
    async fn fresh_csrf_token() -> Result<String, ApiFailure> {
        #[derive(Deserialize)]
        struct Token {
            token: String,
        }
        let response = Request::get(crate::links::api::CSRF)
            .send()
            .await
            .map_err(|_| ApiFailure::Offline)?;
        Ok(read::<Token>(response).await?.token)
    }

    fn cookie(name: &str) -> Option<String> {
        let document = leptos::prelude::document()
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()?;
        let cookies = document.cookie().ok()?;
        cookies.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && !value.is_empty()).then(|| value.to_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_2xx_answer_is_success_for_calls_without_data() {
        assert_eq!(decode_success::<()>(204, ""), Ok(()));
        assert_eq!(decode_success::<Option<Me2>>(200, " "), Ok(None));
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Me2 {
        username: String,
    }

    #[test]
    fn an_empty_or_non_json_answer_where_data_is_expected_is_a_typed_failure() {
        let empty = decode_success::<Me2>(200, "").unwrap_err();
        assert_eq!(empty.status(), Some(200));
        assert!(
            empty.message().contains("empty answer"),
            "{}",
            empty.message()
        );
        let html = decode_success::<Me2>(200, "<html>proxy</html>").unwrap_err();
        assert!(
            html.message().contains("does not understand"),
            "{}",
            html.message()
        );
        assert!(
            !html.message().contains("line 1"),
            "no parser internals: {}",
            html.message()
        );
    }

    #[test]
    fn error_statuses_keep_the_servers_message_or_name_the_status() {
        let body = r#"{"error":"conflict","message":"that name is taken"}"#;
        let failure = decode_failure(409, body);
        assert_eq!(failure.message(), "that name is taken");
        assert_eq!(
            decode_failure(502, "Bad Gateway").message(),
            "the server answered 502"
        );
        assert_eq!(decode_failure(500, "").status(), Some(500));
    }
}

#[cfg(not(feature = "hydrate"))]
mod transport {
    use serde::{de::DeserializeOwned, Serialize};

    use super::ApiFailure;

    pub async fn get_json<T: DeserializeOwned>(_path: &str) -> Result<T, ApiFailure> {
        Err(ApiFailure::Offline)
    }

    pub async fn send_json<T: DeserializeOwned, B: Serialize>(
        _verb: super::Verb,
        _path: &str,
        _body: &B,
    ) -> Result<T, ApiFailure> {
        Err(ApiFailure::Offline)
    }
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    transport::get_json(path).await
}

/// The methods that change state (each sends the CSRF header).
#[derive(Clone, Copy, Debug)]
enum Verb {
    Post,
    Put,
    Delete,
}

async fn post_json<T: DeserializeOwned, B: Serialize>(
    path: &str,
    body: &B,
) -> Result<T, ApiFailure> {
    transport::send_json(Verb::Post, path, body).await
}

async fn send_json<T: DeserializeOwned, B: Serialize>(
    verb: Verb,
    path: &str,
    body: &B,
) -> Result<T, ApiFailure> {
    transport::send_json(verb, path, body).await
}
