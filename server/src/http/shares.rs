//! Shared progress: a signed-in learner turns on a read-only link to their progress on one
//! roadmap (`/api/shares/{slug}`), and anyone holding the link reads it
//! (`/api/shared/{token}`, the page and the badge in `http::shared_page`).
//!
//! The token is 128 random bits (`accounts::new_token`), stored only as its SHA-256
//! (`store::shares`): the server can hand a link out only when it makes one, so turning
//! sharing on and regenerating answer it, and reading the settings later does not. Changes are
//! CSRF-checked like every state change under `/api` and rate-limited per account.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use trailmap_core::{
    catalog::Catalog,
    links,
    progress::{self, ProgressLog, Register, Status},
    roadmap::Roadmap,
};

use crate::{
    accounts,
    error::{ApiError, ErrorBody},
    http::{json::ApiJson, session::CurrentUser},
    store::{self, shares, Db},
    AppState,
};

/// What the shared page says when the learner gives no name: never their username.
pub const DEFAULT_DISPLAY_NAME: &str = "A Trailmap learner";
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 40;

/// How to share: the name the page shows, and whether notes show.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// 1–40 characters shown as whose progress it is (default "A Trailmap learner").
    #[schema(example = "Sam")]
    pub display_name: Option<String>,
    /// Whether the learner's notes show on the shared page (default false).
    #[serde(default)]
    pub include_notes: bool,
}

/// Where a share can be read; handed out only when the link is made.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareLink {
    /// 32 hex digits (128 random bits).
    pub token: String,
    /// The read-only page, `/roadmaps/{slug}/shared/{token}`.
    pub page: String,
    /// The progress badge, `/roadmaps/{slug}/shared/{token}/badge.svg`.
    pub badge: String,
    /// The progress embed, `/embed/{slug}?share={token}`.
    pub embed: String,
}

/// The learner's share of one roadmap.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareState {
    pub enabled: bool,
    pub display_name: Option<String>,
    pub include_notes: bool,
    /// When the current link was made (Unix seconds).
    pub created_at: Option<i64>,
    /// Only in the answer that made the link (turning sharing on, regenerating).
    pub link: Option<ShareLink>,
}

/// One topic's status as the shared page shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharedStatus {
    pub topic: String,
    pub status: Status,
}

/// One topic's note, when the learner included notes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharedNote {
    pub topic: String,
    pub text: String,
}

/// Counts over the roadmap's topics.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharedCounts {
    pub total: usize,
    pub done: usize,
    pub in_progress: usize,
    pub skipped: usize,
    /// Done or skipped, as a whole percentage (rounded down).
    pub percent: u8,
}

/// What a share token opens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharedProgressBody {
    pub roadmap: String,
    pub title: String,
    pub display_name: String,
    pub counts: SharedCounts,
    /// Every stored status of a topic the roadmap has.
    pub statuses: Vec<SharedStatus>,
    /// `null` unless the learner included notes.
    pub notes: Option<Vec<SharedNote>>,
}

#[utoipa::path(
    get,
    path = "/shares/{slug}",
    operation_id = "get_share",
    tag = "shares",
    summary = "Whether the learner shares this roadmap, and how",
    description = "The link itself is not stored (only its hash): it is in the answers that make it.",
    params(("slug" = String, Path, description = "The roadmap's slug", example = "backend")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The share's state (`enabled: false` when off)", body = ShareState),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Json<ShareState>, ApiError> {
    let slug = known_roadmap(&state.catalog, &slug)?;
    let settings = shares::settings(&state.db, user.user_id, slug).await?;
    Ok(Json(share_state(settings, None)))
}

#[utoipa::path(
    put,
    path = "/shares/{slug}",
    operation_id = "enable_share",
    tag = "shares",
    summary = "Turn sharing on, or change its name and notes setting",
    description = "Makes a link (`201`, the link in the answer) when sharing was off; when it \
        was on, changes only the settings (`200`, the link stays and is not repeated).",
    params(("slug" = String, Path, description = "The roadmap's slug", example = "backend")),
    request_body = ShareRequest,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "Sharing is on with a new link", body = ShareState),
        (status = 200, description = "Settings changed; the link is unchanged", body = ShareState),
        (status = 400, description = "Malformed JSON or a bad display name", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "Failed the CSRF check", body = ErrorBody),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
        (status = 429, description = "Too many share changes this hour (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn enable(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<ShareRequest>,
) -> Result<Response, ApiError> {
    let slug = known_roadmap(&state.catalog, &slug)?;
    let display_name = parse_display_name(request.display_name.as_deref())?;
    count_change(&state, user.user_id).await?;
    let token = accounts::new_token().map_err(|error| ApiError::Internal(error.to_string()))?;
    let now = store::unix_now();
    let made = shares::enable(
        &state.db,
        user.user_id,
        slug,
        &token,
        &display_name,
        request.include_notes,
        now,
    )
    .await?;
    let settings = shares::settings(&state.db, user.user_id, slug).await?;
    let (status, link) = if made {
        (StatusCode::CREATED, Some(share_link(slug, token)))
    } else {
        (StatusCode::OK, None)
    };
    Ok((status, Json(share_state(settings, link))).into_response())
}

#[utoipa::path(
    post,
    path = "/shares/{slug}/regenerate",
    operation_id = "regenerate_share",
    tag = "shares",
    summary = "Replace the link: the old one answers 404 from now on",
    params(("slug" = String, Path, description = "The roadmap's slug", example = "backend")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The new link", body = ShareState),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "Failed the CSRF check", body = ErrorBody),
        (status = 404, description = "No roadmap has this slug, or sharing is off (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many share changes this hour (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn regenerate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Json<ShareState>, ApiError> {
    let slug = known_roadmap(&state.catalog, &slug)?;
    count_change(&state, user.user_id).await?;
    let token = accounts::new_token().map_err(|error| ApiError::Internal(error.to_string()))?;
    if !shares::regenerate(&state.db, user.user_id, slug, &token, store::unix_now()).await? {
        return Err(ApiError::NotFound(format!("sharing is off for `{slug}`")));
    }
    let settings = shares::settings(&state.db, user.user_id, slug).await?;
    Ok(Json(share_state(settings, Some(share_link(slug, token)))))
}

#[utoipa::path(
    delete,
    path = "/shares/{slug}",
    operation_id = "disable_share",
    tag = "shares",
    summary = "Turn sharing off: the link answers 404 at once",
    params(("slug" = String, Path, description = "The roadmap's slug", example = "backend")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 204, description = "Sharing is off (whether or not it was on)"),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "Failed the CSRF check", body = ErrorBody),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
        (status = 429, description = "Too many share changes this hour (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn disable(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    let slug = known_roadmap(&state.catalog, &slug)?;
    count_change(&state, user.user_id).await?;
    shares::disable(&state.db, user.user_id, slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/shared/{token}",
    operation_id = "read_shared_progress",
    tag = "shares",
    summary = "The statuses (and notes, when included) a share link opens",
    description = "Public and read-only; sends and reads no cookies. Any token that opens no \
        share (wrong, turned off, regenerated, short, malformed) is the same `404` after the \
        same work.",
    params(("token" = String, Path, description = "The link's token (32 hex digits)")),
    responses(
        (status = 200, description = "The shared progress", body = SharedProgressBody),
        (status = 404, description = "No share has this token", body = ErrorBody),
    )
)]
pub async fn read(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<SharedProgressBody>, ApiError> {
    let shared = open_for(&state.db, &state.catalog, &token, None).await?;
    Ok(Json(shared.body()))
}

/// A share opened by its token: the roadmap, the settings and the learner's progress on it.
pub struct OpenShare<'a> {
    pub roadmap: &'a Roadmap,
    pub settings: shares::ShareSettings,
    pub log: ProgressLog,
}

impl OpenShare<'_> {
    pub fn counts(&self) -> progress::Counts {
        progress::count(&self.roadmap, &self.log).overall
    }

    /// The stored status of each topic of the roadmap that has one.
    pub fn statuses(&self) -> HashMap<&str, Status> {
        self.log
            .entries
            .iter()
            .filter(|(topic, _)| self.roadmap.node(topic).is_some())
            .map(|(topic, entry)| (topic.as_str(), entry.value))
            .collect()
    }

    /// The notes, when the learner included them (deleted ones left out).
    pub fn notes(&self) -> Option<HashMap<&str, &str>> {
        self.settings.include_notes.then(|| {
            self.log
                .notes
                .iter()
                .filter(|(topic, note)| {
                    self.roadmap.node(topic).is_some() && !note.value.0.trim().is_empty()
                })
                .map(|(topic, note)| (topic.as_str(), note.value.0.as_str()))
                .collect()
        })
    }

    fn body(&self) -> SharedProgressBody {
        let counts = self.counts();
        let mut statuses: Vec<SharedStatus> = self
            .statuses()
            .into_iter()
            .map(|(topic, status)| SharedStatus {
                topic: topic.to_owned(),
                status,
            })
            .collect();
        statuses.sort_by(|a, b| a.topic.cmp(&b.topic));
        let notes = self.notes().map(|notes| {
            let mut notes: Vec<SharedNote> = notes
                .into_iter()
                .map(|(topic, text)| SharedNote {
                    topic: topic.to_owned(),
                    text: text.to_owned(),
                })
                .collect();
            notes.sort_by(|a, b| a.topic.cmp(&b.topic));
            notes
        });
        SharedProgressBody {
            roadmap: self.roadmap.slug.clone(),
            title: self.roadmap.title.clone(),
            display_name: self.settings.display_name.clone(),
            counts: SharedCounts {
                total: counts.total,
                done: counts.done,
                in_progress: counts.in_progress,
                skipped: counts.skipped,
                percent: counts.percent(),
            },
            statuses,
            notes,
        }
    }
}

/// The share `token` opens, with the learner's current progress; 404 for any token that
/// opens none. `slug`, when the address names one, must be the share's roadmap.
pub async fn open_for<'a>(
    db: &Db,
    catalog: &'a Catalog,
    token: &str,
    slug: Option<&str>,
) -> Result<OpenShare<'a>, ApiError> {
    let not_found = || ApiError::NotFound("no shared progress at this address".into());
    let shared = shares::find(db, token).await?.ok_or_else(not_found)?;
    if slug.is_some_and(|slug| slug != shared.roadmap) {
        return Err(not_found());
    }
    let roadmap = catalog.get(&shared.roadmap).ok_or_else(not_found)?;
    let pulled = store::progress::pull(db, shared.user_id, &shared.roadmap, 0).await?;
    let mut log = ProgressLog::default();
    for entry in pulled.entries {
        log.entries.insert(
            entry.topic,
            Register::new(entry.register.value, entry.register.stamp),
        );
    }
    if shared.settings.include_notes {
        for note in pulled.notes {
            log.notes.insert(note.topic, note.register);
        }
    }
    Ok(OpenShare {
        roadmap,
        settings: shared.settings,
        log,
    })
}

fn known_roadmap<'a>(catalog: &Catalog, slug: &'a str) -> Result<&'a str, ApiError> {
    catalog
        .get(slug)
        .map(|_| slug)
        .ok_or_else(|| super::sync::no_roadmap(slug))
}

/// Trimmed, 1–40 characters, no control characters; absent or blank gives the default.
fn parse_display_name(raw: Option<&str>) -> Result<String, ApiError> {
    let name = raw.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Ok(DEFAULT_DISPLAY_NAME.into());
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ApiError::BadRequest(format!(
            "display_name: at most {MAX_DISPLAY_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "display_name: no control characters".into(),
        ));
    }
    Ok(name.to_owned())
}

async fn count_change(state: &AppState, user_id: i64) -> Result<(), ApiError> {
    state
        .limiter
        .share_change(user_id, store::unix_now())
        .await?
        .map_err(|refusal| ApiError::TooManyRequests {
            retry_after: refusal.retry_after,
            what: "too many changes to shared links",
        })
}

fn share_link(slug: &str, token: String) -> ShareLink {
    ShareLink {
        page: links::shared(slug, &token),
        badge: links::shared_badge(slug, &token),
        embed: links::embed_shared(slug, &token),
        token,
    }
}

fn share_state(settings: Option<shares::ShareSettings>, link: Option<ShareLink>) -> ShareState {
    match settings {
        Some(settings) => ShareState {
            enabled: true,
            display_name: Some(settings.display_name),
            include_notes: settings.include_notes,
            created_at: Some(settings.created_at),
            link,
        },
        None => ShareState {
            enabled: false,
            display_name: None,
            include_notes: false,
            created_at: None,
            link: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_trimmed_bounded_and_default_to_no_username() {
        assert_eq!(parse_display_name(None).unwrap(), DEFAULT_DISPLAY_NAME);
        assert_eq!(
            parse_display_name(Some("   ")).unwrap(),
            DEFAULT_DISPLAY_NAME
        );
        assert_eq!(parse_display_name(Some(" Sam ")).unwrap(), "Sam");
        assert!(parse_display_name(Some(&"x".repeat(41))).is_err());
        assert!(parse_display_name(Some("a\u{7}b")).is_err());
        assert_eq!(
            parse_display_name(Some(&"é".repeat(40)))
                .unwrap()
                .chars()
                .count(),
            40
        );
    }
}
