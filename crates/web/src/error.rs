//! Errors: [`WebError`] at start-up, [`PageError`] while answering a request.
//!
//! A handler returns a `PageError`; its one `IntoResponse` logs server errors (with their
//! detail) and answers with the status and a marker. The error-page middleware in
//! [`crate::router`] swaps the marker for the site's own page, in the request's language. The
//! visitor never sees an error's text.

use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use vitrina_catalogue::Lang;
use vitrina_storage::StorageError;

/// Why the site could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("template {name} is broken: {detail}")]
    Template { name: String, detail: String },
    #[error("cannot read the templates folder {path}: {source}")]
    TemplatesDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl WebError {
    pub(crate) fn template(name: &str, err: &minijinja::Error) -> Self {
        // `{:#}` includes minijinja's pointer to the line and the cause.
        WebError::Template {
            name: name.to_owned(),
            detail: format!("{err:#}"),
        }
    }
}

/// What went wrong with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    NotFound,
    BadRequest,
    /// Signed in, but not allowed (a viewer editing, a read-only token writing), or a
    /// state-changing request without its CSRF token.
    Forbidden,
    /// The database is unreachable.
    Unavailable,
    Internal,
}

impl Failure {
    pub const ALL: [Failure; 5] = [
        Failure::NotFound,
        Failure::BadRequest,
        Failure::Forbidden,
        Failure::Unavailable,
        Failure::Internal,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            Failure::NotFound => StatusCode::NOT_FOUND,
            Failure::BadRequest => StatusCode::BAD_REQUEST,
            Failure::Forbidden => StatusCode::FORBIDDEN,
            Failure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The key prefix of its title and text in the i18n strings.
    pub fn key(self) -> &'static str {
        match self {
            Failure::NotFound => "not_found",
            Failure::BadRequest => "bad_request",
            Failure::Forbidden => "forbidden",
            Failure::Unavailable => "unavailable",
            Failure::Internal => "error",
        }
    }
}

/// A request that ends in an error page.
#[derive(Debug)]
pub struct PageError {
    pub failure: Failure,
    pub lang: Lang,
    /// For the log only.
    detail: Option<String>,
}

impl PageError {
    pub fn not_found(lang: Lang) -> Self {
        Self {
            failure: Failure::NotFound,
            lang,
            detail: None,
        }
    }

    pub fn bad_request(lang: Lang) -> Self {
        Self {
            failure: Failure::BadRequest,
            lang,
            detail: None,
        }
    }

    pub fn forbidden(lang: Lang) -> Self {
        Self {
            failure: Failure::Forbidden,
            lang,
            detail: None,
        }
    }

    pub fn internal(lang: Lang, detail: impl std::fmt::Display) -> Self {
        Self {
            failure: Failure::Internal,
            lang,
            detail: Some(detail.to_string()),
        }
    }

    /// Maps a use-case error: a missing record is a 404, an unreachable database a 503.
    pub fn from_operations(lang: Lang, err: vitrina_operations::Error) -> Self {
        use vitrina_operations::Error as E;
        let failure = match &err {
            E::Storage(StorageError::NotFound { .. }) => Failure::NotFound,
            E::Storage(StorageError::Unavailable(_)) => Failure::Unavailable,
            _ => Failure::Internal,
        };
        Self {
            failure,
            lang,
            detail: Some(err.to_string()),
        }
    }
}

/// Left on an error response for the error-page middleware to fill in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorMarker {
    pub failure: Failure,
    pub lang: Lang,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.failure {
            Failure::Internal => {
                tracing::error!(
                    detail = self.detail.as_deref().unwrap_or(""),
                    "server error"
                )
            }
            Failure::Unavailable => {
                tracing::warn!(detail = self.detail.as_deref().unwrap_or(""), "unavailable")
            }
            _ => {}
        }
        let mut res = self.failure.status().into_response();
        res.extensions_mut().insert(ErrorMarker {
            failure: self.failure,
            lang: self.lang,
        });
        res
    }
}
