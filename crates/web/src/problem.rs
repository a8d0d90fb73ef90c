//! The one shape of every JSON error, site and API alike: RFC 9457 problem details
//! (`application/problem+json`) with a stable kebab-case `code` and, for validation, the field
//! errors by path (`variants[0].weight_g`).
//!
//! ```json
//! {"type":"/api/v1/problems#conflict","title":"Conflict","status":409,"code":"conflict",
//!  "detail":"…","current_version":4}
//! ```
//!
//! Errors of the layers below map to a problem here, in one place ([`Problem::from_operations`]);
//! server errors are logged with their detail and shown to the client only as "internal".

use axum::http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use vitrina_catalogue::ValidationErrors;
use vitrina_storage::StorageError;

/// The media type of a problem.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field's problem, addressed by its path in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub path: String,
    pub message: String,
}

/// An RFC 9457 problem, ready to answer with.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`/api/v1/problems#conflict`).
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = String)]
    pub title: &'static str,
    /// The HTTP status.
    #[serde(serialize_with = "status_code")]
    #[schema(value_type = u16)]
    pub status: StatusCode,
    /// Stable, kebab-case: clients match on this, never on `detail`.
    #[schema(value_type = String, example = "not-found")]
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For `invalid`: every field's problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For a conflict or failed precondition: the record's version now stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    #[serde(skip)]
    #[schema(ignore)]
    headers: Vec<(axum::http::HeaderName, HeaderValue)>,
}

fn status_code<S: serde::Serializer>(s: &StatusCode, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_u16(s.as_u16())
}

impl Problem {
    /// A problem with this status and code; the title is the status's reason phrase.
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        Self {
            kind: format!("/api/v1/problems#{code}"),
            title: status.canonical_reason().unwrap_or("Error"),
            status,
            code,
            detail: None,
            errors: Vec::new(),
            current_version: None,
            headers: Vec::new(),
        }
    }

    /// What went wrong, in words for the person reading it.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_version(mut self, version: i64) -> Self {
        self.current_version = Some(version);
        self
    }

    pub fn header(mut self, name: axum::http::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found").detail(detail)
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code).detail(detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden").detail(detail)
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated")
            .detail("sign in, or send an API token as `Authorization: Bearer vt_…`")
            .header(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large").detail(detail)
    }

    pub fn unsupported_media(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media").detail(detail)
    }

    /// 429, asking the client to come back after `retry_after_secs`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited")
            .detail(format!(
                "too many requests; try again in {retry_after_secs} s"
            ))
            .header(RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)))
    }

    /// 405 with the methods the resource has.
    pub fn method_not_allowed(allow: &str) -> Self {
        let mut p = Self::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed")
            .detail(format!("this resource answers {allow}"));
        if let Ok(v) = HeaderValue::from_str(allow) {
            p = p.header(ALLOW, v);
        }
        p
    }

    /// 422 with every field's problem.
    pub fn invalid(errors: &ValidationErrors) -> Self {
        let mut p = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            .detail("the record is not valid; see `errors`");
        p.errors = errors
            .0
            .iter()
            .map(|e| FieldProblem {
                path: e.field.clone(),
                message: e.message.clone(),
            })
            .collect();
        p
    }

    /// A server error: logged with its detail, answered without it.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(detail = %detail, "server error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }

    /// Maps a use-case error; the one place where errors become statuses.
    pub fn from_operations(err: vitrina_operations::Error) -> Self {
        use vitrina_operations::Error as E;
        if let Some(v) = err.validation() {
            return Self::invalid(v);
        }
        match &err {
            E::Storage(StorageError::NotFound { .. }) => Self::not_found(err.to_string()),
            E::Storage(StorageError::Conflict(m)) => {
                Self::new(StatusCode::CONFLICT, "conflict").detail(m.clone())
            }
            E::Storage(StorageError::Unavailable(_)) => {
                tracing::warn!(error = %err, "unavailable");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
                    .detail("the database is not answering; try again shortly")
                    .header(RETRY_AFTER, HeaderValue::from_static("5"))
            }
            E::BadQuery(m) => Self::bad_request("bad-query", m.clone()),
            E::Stale { current } => {
                Self::new(StatusCode::PRECONDITION_FAILED, "precondition-failed")
                    .detail(format!(
                        "the record changed since it was read: it is at version {current} now"
                    ))
                    .with_version(*current)
            }
            _ => Self::internal(err),
        }
    }
}

impl Problem {
    /// Maps an account use case's error, keeping its code.
    pub fn from_accounts(err: vitrina_operations::AccountError) -> Self {
        use vitrina_operations::AccountError as E;
        match err {
            E::NotFound(m) => Self::not_found(m),
            E::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict").detail(m),
            E::Invalid(v) => Self::invalid(&v),
            E::Forbidden(m) => Self::forbidden(m),
            E::RateLimited { retry_after } => Self::rate_limited(retry_after),
            E::Unauthenticated => Self::new(StatusCode::UNAUTHORIZED, "unauthenticated")
                .detail("wrong name or password"),
            E::Storage(StorageError::Unavailable(_)) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
                    .detail("the database is not answering; try again shortly")
                    .header(RETRY_AFTER, HeaderValue::from_static("5"))
            }
            e => Self::internal(e),
        }
    }
}

impl From<vitrina_operations::AccountError> for Problem {
    fn from(err: vitrina_operations::AccountError) -> Self {
        Self::from_accounts(err)
    }
}

impl From<vitrina_operations::Error> for Problem {
    fn from(err: vitrina_operations::Error) -> Self {
        Self::from_operations(err)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for (name, value) in self.headers {
            h.insert(name, value);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_rfc_9457_with_a_stable_code() {
        let p = Problem::new(StatusCode::CONFLICT, "conflict")
            .detail("changed since")
            .with_version(4);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["type"], "/api/v1/problems#conflict");
        assert_eq!(v["title"], "Conflict");
        assert_eq!(v["status"], 409);
        assert_eq!(v["code"], "conflict");
        assert_eq!(v["current_version"], 4);
        assert!(v.get("errors").is_none());
    }

    #[test]
    fn validation_errors_keep_their_paths() {
        let mut errors = ValidationErrors::default();
        errors.add("variants[0].weight_g", "must be positive");
        let v = serde_json::to_value(Problem::invalid(&errors)).unwrap();
        assert_eq!(v["status"], 422);
        assert_eq!(v["errors"][0]["path"], "variants[0].weight_g");
        assert_eq!(v["errors"][0]["message"], "must be positive");
    }

    #[test]
    fn the_response_is_problem_json_and_never_cached() {
        let res = Problem::rate_limited(30).into_response();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
        assert_eq!(res.headers()[RETRY_AFTER], "30");
    }
}
