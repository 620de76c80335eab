//! `/api/sync/{slug}/push` and `/api/sync/{slug}/pull`: a signed-in learner's progress,
//! synced between devices. The protocol is described in `crate::sync` and
//! `crate::store::progress`; this module only speaks HTTP.

use app::progress::{PullResponse, PushRequest, PushResponse};
use axum::{
    extract::{Path, RawQuery, State},
    Json,
};

use crate::{
    error::ApiError,
    http::{json::ApiJson, session::CurrentUser},
    store::progress::{self, PushError},
    sync, AppState,
};

pub async fn push(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let roadmap = state.catalog.get(&slug).ok_or_else(|| no_roadmap(&slug))?;
    let push = sync::validate_push(roadmap, request, now_millis())?;
    let outcome = progress::push(&state.db, user.user_id, &push)
        .await
        .map_err(|error| match error {
            PushError::Gap { .. } => ApiError::Conflict {
                code: "gap",
                message: error.to_string(),
            },
            PushError::Db(error) => error.into(),
        })?;
    Ok(Json(PushResponse {
        acknowledged: outcome.acknowledged,
        cursor: outcome.cursor,
        entries: outcome.entries,
        notes: outcome.notes,
    }))
}

pub async fn pull(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<PullResponse>, ApiError> {
    let roadmap = state.catalog.get(&slug).ok_or_else(|| no_roadmap(&slug))?;
    let since = since(query.as_deref()).map_err(ApiError::BadRequest)?;
    let response = progress::pull(&state.db, user.user_id, &roadmap.slug, since).await?;
    Ok(Json(response))
}

fn no_roadmap(slug: &str) -> ApiError {
    ApiError::NotFound(format!(
        "no roadmap is called `{}`",
        slug.chars().take(64).collect::<String>()
    ))
}

/// The `since` cursor from the query string: a whole number, 0 when absent.
fn since(query: Option<&str>) -> Result<i64, String> {
    let raw = query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("since="));
    match raw {
        None => Ok(0),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|since| *since >= 0)
            .ok_or_else(|| "`since` must be a cursor from an earlier pull".into()),
    }
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_a_non_negative_whole_number() {
        assert_eq!(since(None), Ok(0));
        assert_eq!(since(Some("since=42")), Ok(42));
        assert_eq!(since(Some("x=1&since=7")), Ok(7));
        for bad in [
            "since=",
            "since=-1",
            "since=abc",
            "since=99999999999999999999",
        ] {
            assert!(since(Some(bad)).is_err(), "{bad}");
        }
    }
}
