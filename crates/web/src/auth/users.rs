//! `/admin/users`: the owner lists users, adds one with a role and a first password, changes
//! roles, disables and enables accounts, and resets passwords. Disabling an account or
//! resetting its password signs it out everywhere. The last enabled owner can be neither
//! demoted nor disabled, so the collection never ends up without one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use vitrina_catalogue::{Lang, Role, User, UserId, check_user_name};
use vitrina_storage::StorageError;

use super::{Curator, accounts, parse_role, render_status, secret, see_other};
use crate::error::PageError;
use crate::state::App;

pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/admin/users", get(list).post(add))
        .route("/admin/users/{id}/role", post(change_role))
        .route("/admin/users/{id}/disabled", post(set_disabled))
        .route("/admin/users/{id}/password", post(reset_password))
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

fn storage(e: StorageError) -> PageError {
    PageError::internal(Lang::En, e)
}

async fn render(
    app: &App,
    curator: &Curator,
    status: StatusCode,
    mut page: UsersPage,
) -> Result<Response, PageError> {
    let users = accounts(app).users().await.map_err(storage)?;
    page.title = "Users";
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

async fn list(State(app): State<App>, curator: Curator) -> Result<Response, PageError> {
    curator.require_owner()?;
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
    curator: Curator,
    form: Result<Form<AddForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    curator.require_owner()?;
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let mut errors = Vec::new();
    if let Err(m) = check_user_name(&form.name) {
        errors.push(("name".to_owned(), m.to_owned()));
    }
    let role = parse_role(&form.role);
    if role.is_none() {
        errors.push((
            "role".to_owned(),
            "choose owner, editor or viewer".to_owned(),
        ));
    }
    if let Err(m) = secret::check_new_password(&form.password) {
        errors.push(("password".to_owned(), m.to_owned()));
    }
    let refused = |errors| UsersPage {
        errors,
        form_name: form.name.chars().take(100).collect(),
        form_role: role.unwrap_or(Role::Editor).as_str(),
        ..UsersPage::default()
    };
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        let page = refused(errors);
        return render(&app, &curator, StatusCode::UNPROCESSABLE_ENTITY, page).await;
    };
    let hash = secret::hash_password(form.password.clone())
        .await
        .map_err(|e| PageError::internal(Lang::En, e))?;
    match accounts(&app)
        .create_user(&User::new(form.name.clone(), role), &hash)
        .await
    {
        Ok(user) => {
            tracing::info!(by = %curator.user.name, user = %user.name, role = %role, "user added");
            Ok(see_other("/admin/users"))
        }
        Err(StorageError::Conflict(_)) => {
            let page = refused(vec![(
                "name".to_owned(),
                "a user with this name exists".to_owned(),
            )]);
            render(&app, &curator, StatusCode::CONFLICT, page).await
        }
        Err(StorageError::Invalid(errs)) => {
            let page = refused(errs.0.into_iter().map(|e| (e.field, e.message)).collect());
            render(&app, &curator, StatusCode::UNPROCESSABLE_ENTITY, page).await
        }
        Err(e) => Err(storage(e)),
    }
}

/// The stored user `id`, or a 404.
async fn target(app: &App, id: i64) -> Result<User, PageError> {
    match accounts(app).user(UserId::new(id)).await {
        Ok(u) => Ok(u),
        Err(StorageError::NotFound { .. }) => Err(PageError::not_found(Lang::En)),
        Err(e) => Err(storage(e)),
    }
}

/// Whether `user` is the only enabled owner.
async fn last_owner(app: &App, user: &User) -> Result<bool, PageError> {
    if user.role != Role::Owner || user.disabled {
        return Ok(false);
    }
    let owners = accounts(app)
        .users()
        .await
        .map_err(storage)?
        .into_iter()
        .filter(|u| u.role == Role::Owner && !u.disabled)
        .count();
    Ok(owners <= 1)
}

async fn refuse(app: &App, curator: &Curator, notice: &str) -> Result<Response, PageError> {
    let page = UsersPage {
        notice: Some(notice.to_owned()),
        ..UsersPage::default()
    };
    render(app, curator, StatusCode::CONFLICT, page).await
}

#[derive(Debug, Default, Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn change_role(
    State(app): State<App>,
    curator: Curator,
    Path(id): Path<i64>,
    form: Result<Form<RoleForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    curator.require_owner()?;
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let Some(role) = parse_role(&form.role) else {
        return Err(PageError::bad_request(Lang::En));
    };
    let mut user = target(&app, id).await?;
    if role != Role::Owner && last_owner(&app, &user).await? {
        return refuse(
            &app,
            &curator,
            "The last owner cannot be given another role.",
        )
        .await;
    }
    user.role = role;
    accounts(&app).update_user(&user).await.map_err(storage)?;
    tracing::info!(by = %curator.user.name, user = %user.name, role = %role, "role changed");
    Ok(see_other("/admin/users"))
}

#[derive(Debug, Default, Deserialize)]
struct DisabledForm {
    #[serde(default)]
    disabled: String,
}

async fn set_disabled(
    State(app): State<App>,
    curator: Curator,
    Path(id): Path<i64>,
    form: Result<Form<DisabledForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    curator.require_owner()?;
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let disabled = match form.disabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(PageError::bad_request(Lang::En)),
    };
    let mut user = target(&app, id).await?;
    if disabled && last_owner(&app, &user).await? {
        return refuse(&app, &curator, "The last owner cannot be disabled.").await;
    }
    user.disabled = disabled;
    let store = accounts(&app);
    store.update_user(&user).await.map_err(storage)?;
    if disabled && let Some(uid) = user.id {
        store.delete_user_sessions(uid).await.map_err(storage)?;
    }
    tracing::info!(by = %curator.user.name, user = %user.name, disabled, "account (en|dis)abled");
    Ok(see_other("/admin/users"))
}

#[derive(Debug, Default, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(app): State<App>,
    curator: Curator,
    Path(id): Path<i64>,
    form: Result<Form<PasswordForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    curator.require_owner()?;
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let user = target(&app, id).await?;
    if let Err(m) = secret::check_new_password(&form.password) {
        let page = UsersPage {
            notice: Some(format!("The new password for {}: {m}.", user.name)),
            ..UsersPage::default()
        };
        return render(&app, &curator, StatusCode::UNPROCESSABLE_ENTITY, page).await;
    }
    let hash = secret::hash_password(form.password)
        .await
        .map_err(|e| PageError::internal(Lang::En, e))?;
    let store = accounts(&app);
    let uid = UserId::new(id);
    store.set_password_hash(uid, &hash).await.map_err(storage)?;
    // Whoever knew the old password is signed out; the owner resetting their own password too.
    store.delete_user_sessions(uid).await.map_err(storage)?;
    tracing::info!(by = %curator.user.name, user = %user.name, "password reset");
    Ok(see_other("/admin/users"))
}
