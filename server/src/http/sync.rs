//! `/api/sync/{slug}/push` and `/api/sync/{slug}/pull`: a signed-in learner's progress,
//! synced between devices. The protocol is described in `crate::sync` and
//! `crate::store::progress`; this module only speaks HTTP (it maps their refusals to statuses).

use axum::{
    extract::{Path, RawQuery, State},
    Json,
};
use trailmap_core::progress::{PullResponse, PushRequest, PushResponse};

use crate::{
    error::{ApiError, ErrorBody},
    http::{json::ApiJson, session::CurrentUser},
    metrics::PushCounts,
    store::progress::{self, PushError},
    sync::{self, PushRejection, ValidPush},
    AppState,
};

#[utoipa::path(
    post,
    path = "/sync/{slug}/push",
    operation_id = "push_progress",
    tag = "sync",
    summary = "Store a device's unacknowledged mutations",
    description = "Idempotent: mutations with ids already applied for this device are skipped. \
        Merged by last writer wins on the HLC stamp; the answer carries the stored entry of \
        every topic named.",
    params(("slug" = String, Path, description = "The roadmap's slug", example = "backend")),
    request_body = PushRequest,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Stored up to `acknowledged`", body = PushResponse),
        (status = 400, description = "Malformed JSON, a bad device id, stamp or mutation ids", body = ErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ErrorBody),
        (status = 403, description = "Failed the CSRF check", body = ErrorBody),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
        (status = 409, description = "The first new mutation id does not follow the last applied one (`gap`)", body = ErrorBody),
        (status = 413, description = "The body or the number of mutations is over the limit", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "A mutation names a topic the roadmap does not have", body = ErrorBody),
    )
)]
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
            PushError::Gap { .. } => {
                if let Some(metrics) = &state.metrics {
                    metrics.record_gap();
                }
                ApiError::Conflict {
                    code: "gap",
                    message: error.to_string(),
                }
            }
            PushError::Db(error) => error.into(),
        })?;
    if let Some(metrics) = &state.metrics {
        metrics.record_push(PushCounts {
            applied: outcome.applied,
            superseded: outcome.superseded,
        });
    }
    Ok(Json(PushResponse {
        acknowledged: outcome.acknowledged,
        cursor: outcome.cursor,
        entries: outcome.entries,
        notes: outcome.notes,
    }))
}

#[utoipa::path(
    get,
    path = "/sync/{slug}/pull",
    operation_id = "pull_progress",
    tag = "sync",
    summary = "Every topic changed since a cursor",
    params(
        ("slug" = String, Path, description = "The roadmap's slug", example = "backend"),
        ("since" = Option<u64>, Query, description = "The `cursor` of an earlier pull; 0 or absent for everything"),
    ),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The changed entries and the cursor to pull from next", body = PullResponse),
        (status = 400, description = "`since` is not a cursor", body = ErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ErrorBody),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
    )
)]
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

/// A raw push body, as `POST /api/sync/{slug}/push` receives it, read and validated: the
/// handler's JSON extraction (`ApiJson`, whose decoding is `crate::http::json::from_bytes`)
/// followed by [`sync::validate_push`], in one pure function (fuzzed by `fuzz/`'s `sync_push`).
pub fn parse_push(
    roadmap: &trailmap_core::roadmap::Roadmap,
    body: &[u8],
    now_millis: u64,
) -> Result<ValidPush, ApiError> {
    let request: PushRequest = crate::http::json::from_bytes(body)?;
    Ok(sync::validate_push(roadmap, request, now_millis)?)
}

impl From<PushRejection> for ApiError {
    fn from(rejection: PushRejection) -> Self {
        match rejection {
            PushRejection::Invalid(message) => Self::BadRequest(message),
            PushRejection::TooMany(message) => Self::PayloadTooLarge(message),
            PushRejection::UnknownTopic(message) => Self::Unprocessable(message),
        }
    }
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

    fn backend() -> trailmap_core::roadmap::Roadmap {
        trailmap_core::content::load_roadmap_dir(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../roadmaps/backend"),
        )
        .expect("the backend roadmap loads")
    }

    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn parse_push_reads_and_validates_a_raw_body() {
        let body = br#"{"device":"device-a1","mutations":[
            {"id":1,"topic":"dns","status":"done",
             "stamp":{"millis":1700000000000,"counter":0,"device":"device-a1"}}]}"#;

        let push = parse_push(&backend(), body, NOW).expect("a valid push");

        assert_eq!(push.device, "device-a1");
        assert_eq!(push.mutations.len(), 1);
        assert_eq!(push.mutations[0].topic, "dns");
    }

    #[test]
    fn parse_push_refuses_bad_bodies_with_client_errors() {
        let roadmap = backend();
        let cases: [(&[u8], u16); 5] = [
            (b"", 400),
            (b"{\"device\":", 400),
            (b"{\"device\":\"device-a1\",\"mutations\":[{\"id\":-1}]}", 400),
            (b"\xff\xfe", 400),
            (
                br#"{"device":"device-a1","mutations":[{"id":1,"topic":"no-such-topic","status":"done","stamp":{"millis":1,"counter":0,"device":"device-a1"}}]}"#,
                422,
            ),
        ];
        for (body, status) in cases {
            let error = parse_push(&roadmap, body, NOW).unwrap_err();
            let response = axum::response::IntoResponse::into_response(error);
            assert_eq!(
                response.status().as_u16(),
                status,
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
