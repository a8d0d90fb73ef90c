//! Who may use the curator's workspace: users, their roles and the scopes of API tokens.
//!
//! Passwords, sessions and tokens are not here: they are secrets handled by the web layer and
//! stored by the storage layer. This module holds only what the rest of the domain reasons
//! about — a user's name, role and whether the account is disabled.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Id, ValidationErrors};

pub type UserId = Id<User>;

/// The longest user name accepted.
pub const MAX_USER_NAME: usize = 64;

/// What a signed-in user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including managing users.
    Owner,
    /// Edits the catalogue.
    Editor,
    /// Sees private fields, changes nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    /// The role named `s` (`owner`, `editor`, `viewer`).
    pub fn parse(s: &str) -> Result<Role, UnknownRole> {
        match s {
            "owner" => Ok(Role::Owner),
            "editor" => Ok(Role::Editor),
            "viewer" => Ok(Role::Viewer),
            other => Err(UnknownRole(other.chars().take(40).collect())),
        }
    }

    pub fn can_edit(self) -> bool {
        matches!(self, Role::Owner | Role::Editor)
    }

    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Owner)
    }

    pub fn sees_private(self) -> bool {
        true
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected owner, editor or viewer")]
pub struct UnknownRole(pub String);

/// What an API token may do: read curator data, or change it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Result<TokenScope, UnknownScope> {
        match s {
            "read" => Ok(TokenScope::Read),
            "write" => Ok(TokenScope::Write),
            other => Err(UnknownScope(other.chars().take(40).collect())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown token scope {0:?}: expected read or write")]
pub struct UnknownScope(pub String);

/// A person who signs in to the curator's workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Assigned by storage.
    pub id: Option<UserId>,
    pub name: String,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// A disabled user cannot sign in and their sessions and tokens stop working.
    pub disabled: bool,
}

impl User {
    /// A new, enabled user created now (not yet stored).
    pub fn new(name: impl Into<String>, role: Role) -> User {
        User {
            id: None,
            name: name.into(),
            role,
            created_at: OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            disabled: false,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Err(message) = check_user_name(&self.name) {
            errors.add("name", message);
        }
        errors.into_result()
    }
}

/// Checks a user name: 1 to 64 characters, no control characters, no spaces at either end.
/// Returns the problem in words.
pub fn check_user_name(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() {
        return Err("this cannot be empty");
    }
    if name.chars().count() > MAX_USER_NAME {
        return Err("at most 64 characters");
    }
    if name.chars().any(char::is_control) {
        return Err("control characters are not allowed");
    }
    if name.trim() != name {
        return Err("no spaces at the start or end");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_grant_what_the_issue_says() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert!(Role::parse("Owner").is_err());
        assert!(Role::Owner.can_edit() && Role::Owner.can_manage_users());
        assert!(Role::Editor.can_edit() && !Role::Editor.can_manage_users());
        assert!(!Role::Viewer.can_edit() && !Role::Viewer.can_manage_users());
        assert!(Role::ALL.iter().all(|r| r.sees_private()));
    }

    #[test]
    fn scopes_parse() {
        assert_eq!(TokenScope::parse("read"), Ok(TokenScope::Read));
        assert_eq!(TokenScope::parse("write"), Ok(TokenScope::Write));
        assert!(TokenScope::parse("admin").is_err());
    }

    #[test]
    fn user_names_are_checked() {
        assert!(User::new("anna", Role::Owner).validate().is_ok());
        assert!(User::new("Анна Петрова", Role::Editor).validate().is_ok());
        for bad in ["", "   ", " anna", "anna\n", "a\u{0}b", &"x".repeat(65)] {
            let err = User::new(bad, Role::Viewer).validate().unwrap_err();
            assert_eq!(err.0[0].field, "name", "{bad:?}");
        }
        assert!(User::new("x".repeat(64), Role::Viewer).validate().is_ok());
    }
}
