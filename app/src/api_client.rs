//! The browser's calls to the account and sync JSON API (`/api/auth/*`, `/api/sync/*`).
//!
//! Every state-changing request carries the `X-CSRF-Token` header, whose value is the
//! `trailmap_csrf` cookie (double-submit); the session itself is an HttpOnly cookie the
//! browser sends on its own. Errors come back as [`ApiFailure`]: the server's
//! `{error, message}` body, or `Offline` when the request never got an answer.
//!
//! Only the `hydrate` build talks to the network; on the server every call answers
//! `Offline` (nothing calls them there: they run from effects and event handlers).

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::{
    links,
    progress::{PullResponse, PushRequest, PushResponse, SyncFailure, Transport},
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

pub async fn sign_out() -> Result<(), ApiFailure> {
    post_json::<serde_json::Value, _>(links::api::SIGN_OUT, &serde_json::json!({}))
        .await
        .map(|_| ())
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

#[cfg(feature = "hydrate")]
mod transport {
    use gloo_net::http::{Request, Response};
    use serde::{de::DeserializeOwned, Deserialize, Serialize};
    use wasm_bindgen::JsCast;

    use super::ApiFailure;

    #[derive(Deserialize)]
    struct ErrorBody {
        error: String,
        message: String,
    }

    pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
        let response = Request::get(path)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|_| ApiFailure::Offline)?;
        read(response).await
    }

    pub async fn post_json<T: DeserializeOwned, B: Serialize>(
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        let token = csrf_token().await?;
        let response = Request::post(path)
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

    async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
        let status = response.status();
        if (200..300).contains(&status) {
            return response
                .json::<T>()
                .await
                .map_err(|error| ApiFailure::Status {
                    status,
                    code: "decode".into(),
                    message: format!("unexpected answer from the server ({error})"),
                });
        }
        let body = response.json::<ErrorBody>().await.ok();
        Err(ApiFailure::Status {
            status,
            code: body.as_ref().map(|b| b.error.clone()).unwrap_or_default(),
            message: body
                .map(|b| b.message)
                .unwrap_or_else(|| format!("the server answered {status}")),
        })
    }

    /// The CSRF cookie's value, fetching one first if the browser has none.
    async fn csrf_token() -> Result<String, ApiFailure> {
        if let Some(token) = cookie("trailmap_csrf") {
            return Ok(token);
        }
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

#[cfg(not(feature = "hydrate"))]
mod transport {
    use serde::{de::DeserializeOwned, Serialize};

    use super::ApiFailure;

    pub async fn get_json<T: DeserializeOwned>(_path: &str) -> Result<T, ApiFailure> {
        Err(ApiFailure::Offline)
    }

    pub async fn post_json<T: DeserializeOwned, B: Serialize>(
        _path: &str,
        _body: &B,
    ) -> Result<T, ApiFailure> {
        Err(ApiFailure::Offline)
    }
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    transport::get_json(path).await
}

async fn post_json<T: DeserializeOwned, B: Serialize>(
    path: &str,
    body: &B,
) -> Result<T, ApiFailure> {
    transport::post_json(path, body).await
}
