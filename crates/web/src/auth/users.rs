//! `/admin/users`: the owner lists users, adds one with a role and a first password, changes
//! roles, disables and enables accounts, and resets passwords. Disabling an account or
//! resetting its password signs it out everywhere. The last enabled owner can be neither
//! demoted nor disabled, so the collection never ends up without one.

use crate::routes::{Access, Routes};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use vitrina_catalogue::{Lang, Role, UserId};
use vitrina_operations::AccountError;

use super::{Curator, Owner, page_error, render_status, see_other};
use crate::error::PageError;
use crate::state::App;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/users", Access::Owner, list)
        .post("/admin/users", Access::Owner, add)
        .post("/admin/users/{id}/role", Access::Owner, change_role)
        .post("/admin/users/{id}/disabled", Access::Owner, set_disabled)
        .post("/admin/users/{id}/password", Access::Owner, reset_password)
}

#[derive(Debug, Serialize)]
struct UserRow {
    id: i64,
    name: String,
    role: &'static str,
    disabled: bool,
    created: String,
    is_me: bool,
}

#[derive(Debug, Default, Serialize)]
struct UsersPage {
    title: &'static str,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
    /// Field name → message, for the add form.
    errors: Vec<(String, String)>,
    /// A message about the last change (or why it was refused).
    notice: Option<String>,
    form_name: String,
    form_role: &'static str,
}

async fn render(
    app: &App,
    curator: &Curator,
    status: StatusCode,
    mut page: UsersPage,
) -> Result<Response, PageError> {
    let users = app
        .catalogue()
        .accounts()
        .users()
        .await
        .map_err(page_error)?;
    page.title = crate::admin::lang::tr(curator.workspace.lang, "Users");
    page.roles = Role::ALL.iter().map(|r| r.as_str()).collect();
    if page.form_role.is_empty() {
        page.form_role = Role::Editor.as_str();
    }
    page.users = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id.map(|i| i.get()).unwrap_or_default(),
            is_me: u.id == curator.user.id,
            role: u.role.as_str(),
            disabled: u.disabled,
            created: u.created_at.date().to_string(),
            name: u.name,
        })
        .collect();
    render_status(app, curator, "admin_users.html", page, status)
}

async fn list(State(app): State<App>, Owner(curator): Owner) -> Result<Response, PageError> {
    render(&app, &curator, StatusCode::OK, UsersPage::default()).await
}

#[derive(Debug, Default, Deserialize)]
struct AddForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn add(
    State(app): State<App>,
    Owner(curator): Owner,
    form: Result<Form<AddForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let refused = |errors| UsersPage {
        errors,
        form_name: form.name.chars().take(100).collect(),
        form_role: Role::parse(&form.role).unwrap_or(Role::Editor).as_str(),
        ..UsersPage::default()
    };
    match app
        .catalogue()
        .accounts()
        .add_user(&form.name, &form.role, &form.password)
        .await
    {
        Ok(user) => {
            tracing::info!(by = %curator.user.name, user = %user.name, role = %user.role, "user added");
            Ok(see_other("/admin/users"))
        }
        Err(AccountError::Conflict(_)) => {
            let page = refused(vec![(
                "name".to_owned(),
                "a user with this name exists".to_owned(),
            )]);
            render(&app, &curator, StatusCode::CONFLICT, page).await
        }
        Err(AccountError::Invalid(errs)) => {
            let page = refused(errs.0.into_iter().map(|e| (e.field, e.message)).collect());
            render(&app, &curator, StatusCode::UNPROCESSABLE_ENTITY, page).await
        }
        Err(e) => Err(page_error(e)),
    }
}

/// A refused change: the list again, with why (a 409 for the last owner's protection).
async fn refused(app: &App, curator: &Curator, e: AccountError) -> Result<Response, PageError> {
    let status = match &e {
        AccountError::Conflict(_) => StatusCode::CONFLICT,
        AccountError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(page_error(e)),
    };
    let notice = match e {
        AccountError::Invalid(v) => {
            v.0.into_iter()
                .map(|f| {
                    let lang = curator.workspace.lang;
                    format!(
                        "{}: {}.",
                        crate::admin::labels::field_label(lang, &f.field),
                        crate::admin::lang::message(lang, &f.message)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
        other => crate::admin::lang::message(curator.workspace.lang, &other.to_string()),
    };
    let page = UsersPage {
        notice: Some(notice),
        ..UsersPage::default()
    };
    render(app, curator, status, page).await
}

#[derive(Debug, Default, Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn change_role(
    State(app): State<App>,
    Owner(curator): Owner,
    Path(id): Path<i64>,
    form: Result<Form<RoleForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    match app
        .catalogue()
        .accounts()
        .set_role(UserId::new(id), &form.role)
        .await
    {
        Ok(user) => {
            tracing::info!(by = %curator.user.name, user = %user.name, role = %user.role, "role changed");
            Ok(see_other("/admin/users"))
        }
        Err(AccountError::Invalid(_)) => Err(PageError::bad_request(Lang::En)),
        Err(e) => refused(&app, &curator, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
struct DisabledForm {
    #[serde(default)]
    disabled: String,
}

async fn set_disabled(
    State(app): State<App>,
    Owner(curator): Owner,
    Path(id): Path<i64>,
    form: Result<Form<DisabledForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let disabled = match form.disabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(PageError::bad_request(Lang::En)),
    };
    match app
        .catalogue()
        .accounts()
        .set_disabled(UserId::new(id), disabled)
        .await
    {
        Ok(user) => {
            tracing::info!(by = %curator.user.name, user = %user.name, disabled, "account (en|dis)abled");
            Ok(see_other("/admin/users"))
        }
        Err(e) => refused(&app, &curator, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// Sets the password, ends all the user's sessions (the owner resetting their own password
/// too) and clears the account's sign-in throttling: one operation.
async fn reset_password(
    State(app): State<App>,
    Owner(curator): Owner,
    Path(id): Path<i64>,
    form: Result<Form<PasswordForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    match app
        .catalogue()
        .accounts()
        .set_password(UserId::new(id), &form.password)
        .await
    {
        Ok((user, _)) => {
            tracing::info!(by = %curator.user.name, user = %user.name, "password reset");
            Ok(see_other("/admin/users"))
        }
        Err(e) => refused(&app, &curator, e).await,
    }
}
