//! `/admin/tokens`: a signed-in user's API tokens for scripts. A new token is shown once, on
//! the page that created it; only its SHA-256 is stored. A token acts as its user, limited to
//! its scope: `read` may only read, `write` may also change what the user's role allows.
//! Tokens are managed from a browser session only, so a leaked token cannot mint others.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vitrina_catalogue::{Lang, TokenScope};
use vitrina_storage::{ApiToken, StorageError};

use super::{AuthVia, Curator, accounts, render_status, secret, see_other};
use crate::error::PageError;
use crate::state::App;

/// The longest token label.
pub const MAX_LABEL: usize = 100;

pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/admin/tokens", get(list).post(create))
        .route("/admin/tokens/{id}/revoke", post(revoke))
}

#[derive(Debug, Serialize)]
struct TokenRow {
    id: i64,
    label: String,
    scope: &'static str,
    prefix: String,
    created: String,
    last_used: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct TokensPage {
    title: &'static str,
    tokens: Vec<TokenRow>,
    /// The token just created, shown this once.
    new_token: Option<String>,
    errors: Vec<(String, String)>,
    form_label: String,
    can_write: bool,
}

fn storage(e: StorageError) -> PageError {
    PageError::internal(Lang::En, e)
}

fn require_session(curator: &Curator) -> Result<(), PageError> {
    match curator.via {
        AuthVia::Session => Ok(()),
        AuthVia::Token { .. } => Err(PageError::forbidden(Lang::En)),
    }
}

fn when(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}

async fn render(
    app: &App,
    curator: &Curator,
    status: StatusCode,
    mut page: TokensPage,
) -> Result<Response, PageError> {
    let tokens = accounts(app)
        .tokens(curator.user_id())
        .await
        .map_err(storage)?;
    page.title = "API tokens";
    page.can_write = curator.user.role.can_edit();
    page.tokens = tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.unwrap_or_default(),
            label: t.label,
            scope: t.scope.as_str(),
            prefix: t.prefix,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when),
        })
        .collect();
    render_status(app, curator, "admin_tokens.html", page, status)
}

async fn list(State(app): State<App>, curator: Curator) -> Result<Response, PageError> {
    require_session(&curator)?;
    render(&app, &curator, StatusCode::OK, TokensPage::default()).await
}

#[derive(Debug, Default, Deserialize)]
struct CreateForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    scope: String,
}

async fn create(
    State(app): State<App>,
    curator: Curator,
    form: Result<Form<CreateForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    require_session(&curator)?;
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let mut errors = Vec::new();
    let label = form.label.trim();
    if label.is_empty() {
        errors.push(("label".to_owned(), "this cannot be empty".to_owned()));
    } else if label.chars().count() > MAX_LABEL {
        errors.push((
            "label".to_owned(),
            format!("at most {MAX_LABEL} characters"),
        ));
    } else if label.chars().any(char::is_control) {
        errors.push((
            "label".to_owned(),
            "control characters are not allowed".to_owned(),
        ));
    }
    let scope = TokenScope::parse(&form.scope).ok();
    match scope {
        None => errors.push(("scope".to_owned(), "choose read or write".to_owned())),
        Some(TokenScope::Write) if !curator.user.role.can_edit() => errors.push((
            "scope".to_owned(),
            "a viewer's tokens can only read".to_owned(),
        )),
        Some(_) => {}
    }
    let Some(scope) = scope.filter(|_| errors.is_empty()) else {
        let page = TokensPage {
            errors,
            form_label: label.chars().take(MAX_LABEL).collect(),
            ..TokensPage::default()
        };
        return render(&app, &curator, StatusCode::UNPROCESSABLE_ENTITY, page).await;
    };
    let token = secret::new_api_token().map_err(|e| PageError::internal(Lang::En, e))?;
    let stored = ApiToken {
        id: None,
        user_id: curator.user_id(),
        label: label.to_owned(),
        scope,
        prefix: token.chars().take(10).collect(),
        hash: secret::digest(&token),
        created_at: OffsetDateTime::now_utc(),
        last_used_at: None,
    };
    accounts(&app)
        .create_token(&stored)
        .await
        .map_err(storage)?;
    tracing::info!(user = %curator.user.name, scope = scope.as_str(), "API token created");
    let page = TokensPage {
        new_token: Some(token),
        ..TokensPage::default()
    };
    render(&app, &curator, StatusCode::OK, page).await
}

async fn revoke(
    State(app): State<App>,
    curator: Curator,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    require_session(&curator)?;
    match accounts(&app).revoke_token(curator.user_id(), id).await {
        Ok(()) => Ok(see_other("/admin/tokens")),
        Err(StorageError::NotFound { .. }) => Err(PageError::not_found(Lang::En)),
        Err(e) => Err(storage(e)),
    }
}
