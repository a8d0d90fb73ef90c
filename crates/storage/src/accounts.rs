//! Accounts: users and their password hashes, server-side sessions, API tokens, login
//! throttling and the one-time set-up token.
//!
//! Storage never sees a secret in the clear: sessions, API tokens and the set-up token are
//! looked up by a hash of the secret (hex SHA-256, computed by the web layer), and passwords
//! arrive already hashed (argon2id PHC strings). Times are whole seconds, UTC.

use async_trait::async_trait;
use time::OffsetDateTime;
use vitrina_catalogue::{TokenScope, User, UserId};

use crate::Result;

/// A session as stored: looked up by the hash of its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// An API token as stored (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Assigned by storage; `None` before the token is stored.
    pub id: Option<i64>,
    pub user_id: UserId,
    /// What the owner calls it ("backup script").
    pub label: String,
    pub scope: TokenScope,
    /// The first characters of the token, shown in lists so a person can tell tokens apart.
    pub prefix: String,
    pub hash: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// How many users exist, disabled ones included.
    async fn user_count(&self) -> Result<u64>;
    /// All users by name.
    async fn users(&self) -> Result<Vec<User>>;
    async fn user(&self, id: UserId) -> Result<User>;
    /// The user with exactly this name; `NotFound` otherwise.
    async fn user_by_name(&self, name: &str) -> Result<User>;
    /// Stores a new user (`id: None`) with a password hash. An invalid name is `Invalid`, a
    /// taken name `Conflict`.
    async fn create_user(&self, user: &User, password_hash: &str) -> Result<User>;
    /// Changes a stored user's role and disabled flag (the name and creation time stay).
    async fn update_user(&self, user: &User) -> Result<User>;
    async fn password_hash(&self, id: UserId) -> Result<String>;
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<()>;

    async fn create_session(&self, session: &Session) -> Result<()>;
    /// The session with this id hash and its user, when it exists and has not expired at `now`.
    async fn session(&self, id_hash: &str, now: OffsetDateTime) -> Result<Option<(Session, User)>>;
    /// Moves a session's expiry (sliding renewal).
    async fn touch_session(&self, id_hash: &str, expires_at: OffsetDateTime) -> Result<()>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Deletes all of a user's sessions ("sign out everywhere"); returns how many there were.
    async fn delete_user_sessions(&self, user_id: UserId) -> Result<u64>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> Result<u64>;

    /// Stores a token (`id: None`); returns it with its id.
    async fn create_token(&self, token: &ApiToken) -> Result<ApiToken>;
    /// A user's tokens, newest first.
    async fn tokens(&self, user_id: UserId) -> Result<Vec<ApiToken>>;
    /// Deletes a token of this user; `NotFound` when the user has no such token.
    async fn revoke_token(&self, user_id: UserId, token_id: i64) -> Result<()>;
    /// The token with this hash and its user.
    async fn token_by_hash(&self, hash: &str) -> Result<Option<(ApiToken, User)>>;
    async fn touch_token(&self, token_id: i64, at: OffsetDateTime) -> Result<()>;

    /// Records a failed sign-in under `key` (`user:NAME`, `addr:IP` or `pair:NAME|IP`).
    async fn record_login_failure(&self, key: &str, at: OffsetDateTime) -> Result<()>;
    /// How many failures were recorded under `key` at or after `since`.
    async fn login_failures(&self, key: &str, since: OffsetDateTime) -> Result<u64>;
    /// How many failures were recorded under `key` at or after `since`, and when the latest
    /// of them was (for growing delays: the wait is counted from the last failure).
    async fn login_failure_stats(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<(u64, Option<OffsetDateTime>)>;
    /// Forgets the failures under `key` (after a successful sign-in).
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
    /// Forgets the failures under every key that starts with `prefix` (a password reset clears
    /// all of an account's `pair:NAME|…` keys). Matched literally: `%` and `_` are no wildcards.
    async fn clear_login_failures_prefix(&self, prefix: &str) -> Result<()>;

    /// Replaces any set-up token with this one.
    async fn put_setup_token(&self, hash: &str, expires_at: OffsetDateTime) -> Result<()>;
    /// Whether a set-up token with this hash exists, is unexpired and no user exists yet.
    async fn setup_token_valid(&self, hash: &str, now: OffsetDateTime) -> Result<bool>;
    /// In one transaction: consumes the set-up token and creates the first user. An unknown or
    /// expired token is `NotFound`; when any user already exists it is `Conflict` (and the
    /// token is consumed all the same).
    async fn redeem_setup_token(
        &self,
        hash: &str,
        now: OffsetDateTime,
        user: &User,
        password_hash: &str,
    ) -> Result<User>;
}

/// `t` as whole seconds since the epoch, the form both backends store.
pub fn to_unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

/// The inverse of [`to_unix`]; out-of-range values (only a corrupt row) become the epoch.
pub fn from_unix(s: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(s).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
