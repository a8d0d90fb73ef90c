//! `/admin/tokens`: a signed-in user's API tokens for scripts. A new token is shown once, on
//! the page that created it; only its SHA-256 is stored. A token acts as its user, limited to
//! its scope: `read` may only read, `write` may also change what the user's role allows.
//! Tokens are managed from a browser session only, so a leaked token cannot mint others.

use crate::routes::{Access, Routes};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vitrina_catalogue::Lang;
use vitrina_operations::AccountError;
use vitrina_operations::accounts::MAX_LABEL;

use super::{AuthVia, Curator, page_error, render_status, see_other};
use crate::error::PageError;
use crate::state::App;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/tokens", Access::Session, list)
        .post("/admin/tokens", Access::Session, create)
        .post("/admin/tokens/{id}/revoke", Access::Session, revoke)
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
    let tokens = app
        .catalogue()
        .accounts()
        .tokens(curator.user_id())
        .await
        .map_err(page_error)?;
    page.title = crate::admin::lang::tr(curator.workspace.lang, "API tokens");
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
    match app
        .catalogue()
        .accounts()
        .create_token(&curator.user, &form.label, &form.scope)
        .await
    {
        Ok(created) => {
            let page = TokensPage {
                new_token: Some(created.secret),
                ..TokensPage::default()
            };
            render(&app, &curator, StatusCode::OK, page).await
        }
        Err(AccountError::Invalid(errors)) => {
            let page = TokensPage {
                errors: errors.0.into_iter().map(|e| (e.field, e.message)).collect(),
                form_label: form.label.trim().chars().take(MAX_LABEL).collect(),
                ..TokensPage::default()
            };
            render(&app, &curator, StatusCode::UNPROCESSABLE_ENTITY, page).await
        }
        Err(e) => Err(page_error(e)),
    }
}

async fn revoke(
    State(app): State<App>,
    curator: Curator,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    require_session(&curator)?;
    app.catalogue()
        .accounts()
        .revoke_token(Some(curator.user_id()), id)
        .await
        .map_err(page_error)?;
    Ok(see_other("/admin/tokens"))
}
