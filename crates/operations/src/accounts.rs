//! The account use cases, one door for the web pages and the CLI: signing in (with throttling)
//! and out, resolving a session or an API token, users, tokens and the one-time set-up link.
//!
//! Sign-in throttling is built so that nobody can lock the owner out:
//!
//! - failures are counted per (account, client address) pair: the first
//!   [`Throttle::pair_free`] are free, then each further attempt waits 1 s, 2 s, 4 s… after
//!   the last failure, at most [`Throttle::max_delay`];
//! - failures from one address across all accounts grow the same way after
//!   [`Throttle::address_free`];
//! - an attempt refused while throttled ([`AccountError::RateLimited`]) is not counted;
//! - an account's failures from all addresses together only *slow* its sign-ins (a bounded
//!   extra wait before the answer, [`Throttle::account_slow_max`]), never refuse them, so
//!   guesses from elsewhere cannot keep the owner out;
//! - a successful sign-in clears its pair; a password reset clears all of the account's.
//!
//! The clock is injectable ([`Clock`]), so tests can move time instead of waiting.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};
use vitrina_catalogue::{Role, TokenScope, User, UserId, ValidationErrors, check_user_name};
use vitrina_storage::{AccountStore, ApiToken, Session, StorageError, Store};

use crate::secret::{self, SecretError};

/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::days(14);
/// A session's expiry is moved forward at most this often (one write per day per session).
pub const RENEW_EVERY: Duration = Duration::days(1);
/// How long a set-up link stays valid.
pub const SETUP_VALID_FOR: Duration = Duration::hours(24);
/// The longest token label.
pub const MAX_LABEL: usize = 100;
/// What of a sign-in name is used as a key (and echoed back), whatever was sent.
const MAX_NAME_KEY: usize = 100;

/// What an account use case can fail with. Each has a stable kebab-case [`code`](Self::code).
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Field by field (`name`, `password`, `role`, `label`, `scope`, `password_again`).
    #[error("invalid: {0}")]
    Invalid(ValidationErrors),
    #[error("{0}")]
    Forbidden(String),
    /// Sign-in is throttled: try again in `retry_after` seconds (at least 1).
    #[error("too many failed sign-ins; try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// Wrong name or password (which one is never said), or a disabled account.
    #[error("wrong name or password")]
    Unauthenticated,
    #[error(transparent)]
    Storage(StorageError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

impl AccountError {
    /// The stable code, as for [`crate::Error::code`]: `not-found`, `conflict`, `invalid`,
    /// `forbidden`, `rate-limited`, `unauthenticated`, `unavailable`, `internal`.
    pub fn code(&self) -> &'static str {
        match self {
            AccountError::NotFound(_) => "not-found",
            AccountError::Conflict(_) => "conflict",
            AccountError::Invalid(_) => "invalid",
            AccountError::Forbidden(_) => "forbidden",
            AccountError::RateLimited { .. } => "rate-limited",
            AccountError::Unauthenticated => "unauthenticated",
            AccountError::Storage(StorageError::Unavailable(_)) => "unavailable",
            AccountError::Storage(_) | AccountError::Secret(_) => "internal",
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = ValidationErrors::default();
        e.add(field, message);
        AccountError::Invalid(e)
    }
}

impl From<StorageError> for AccountError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound { .. } => AccountError::NotFound(e.to_string()),
            StorageError::Conflict(m) => AccountError::Conflict(m),
            StorageError::Invalid(v) => AccountError::Invalid(v),
            other => AccountError::Storage(other),
        }
    }
}

pub type AccountResult<T> = std::result::Result<T, AccountError>;

/// Where the time comes from, and how waiting is done.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
    /// Waits `d` (the account-wide slow-down).
    fn sleep(&self, d: std::time::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep(&self, d: std::time::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A clock that moves only when told to, for tests. Its `sleep` returns at once and adds the
/// time it was asked to wait to [`ManualClock::slept`].
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
    slept_ms: Arc<AtomicU64>,
}

impl ManualClock {
    /// Starts at `now` (rounded down to the whole second, as storage keeps times).
    pub fn new(now: OffsetDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(now.replace_nanosecond(0).unwrap_or(now))),
            slept_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn advance(&self, d: Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += d;
        }
    }

    /// How long callers have asked to sleep, in total.
    pub fn slept(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.slept_ms.load(Ordering::Relaxed))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.now
            .lock()
            .map(|n| *n)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    fn sleep(&self, d: std::time::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.slept_ms
            .fetch_add(d.as_millis() as u64, Ordering::Relaxed);
        Box::pin(std::future::ready(()))
    }
}

/// The rules of sign-in throttling (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures of one (account, address) pair before the delays start.
    pub pair_free: u64,
    /// Failures from one address, across accounts, before the delays start.
    pub address_free: u64,
    /// The first delay; each further failure doubles it.
    pub first_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Failures older than this are forgotten (storage prunes them after a day as well).
    pub memory: Duration,
    /// An account's failures from everywhere within `account_window` before its sign-ins are
    /// slowed down.
    pub account_slow_after: u64,
    pub account_window: Duration,
    /// The extra wait per failure beyond `account_slow_after`, and its bound.
    pub account_slow_step: Duration,
    pub account_slow_max: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            pair_free: 3,
            address_free: 20,
            first_delay: Duration::seconds(1),
            max_delay: Duration::minutes(15),
            memory: Duration::hours(24),
            account_slow_after: 10,
            account_window: Duration::minutes(15),
            account_slow_step: Duration::milliseconds(200),
            account_slow_max: Duration::seconds(2),
        }
    }
}

impl Throttle {
    /// The wait after the last of `failures` failures, `free` of them being free.
    pub fn delay(&self, failures: u64, free: u64) -> Duration {
        if failures < free {
            return Duration::ZERO;
        }
        let doublings = (failures - free).min(30) as u32;
        let d = self.first_delay * 2i32.saturating_pow(doublings).max(1);
        d.min(self.max_delay)
    }

    /// The extra wait for an account with `failures` failures from everywhere.
    pub fn account_slowdown(&self, failures: u64) -> Duration {
        if failures <= self.account_slow_after {
            return Duration::ZERO;
        }
        let over = (failures - self.account_slow_after).min(10_000) as i32;
        (self.account_slow_step * over).min(self.account_slow_max)
    }
}

/// A successful sign-in (or set-up): the user and the new session's id, for the cookie.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session_id: String,
}

/// A live session's user; `renewed` when its expiry was just moved forward (send the cookie
/// again).
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub renewed: bool,
}

/// A token just created: the stored record and the secret, shown this once.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

/// The account use cases over a store. Cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    throttle: Throttle,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("throttle", &self.throttle)
            .finish_non_exhaustive()
    }
}

fn lower_name(name: &str) -> String {
    name.chars()
        .take(MAX_NAME_KEY)
        .collect::<String>()
        .to_lowercase()
}

fn pair_prefix(name: &str) -> String {
    format!("pair:{}|", lower_name(name))
}

fn account_key(name: &str) -> String {
    format!("user:{}", lower_name(name))
}

fn seconds_up(d: Duration) -> u64 {
    let ms = d.whole_milliseconds().max(0) as u64;
    ms.div_ceil(1000).max(1)
}

impl Accounts {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            throttle: Throttle::default(),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_throttle(mut self, throttle: Throttle) -> Self {
        self.throttle = throttle;
        self
    }

    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    fn store(&self) -> &dyn AccountStore {
        let store: &dyn Store = self.store.as_ref();
        store
    }

    // ---- signing in and out ------------------------------------------------------------

    /// Signs `name` in with `password` from `client` (the client's address, when known).
    ///
    /// Refused while throttled with [`AccountError::RateLimited`] (not counted as a failure);
    /// a wrong name or password, or a disabled account, is [`AccountError::Unauthenticated`]
    /// and counted.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> AccountResult<SignedIn> {
        let now = self.now();
        let since = now - self.throttle.memory;
        let store = self.store();
        let pair_key = format!(
            "{}{}",
            pair_prefix(name),
            client.map(|ip| ip.to_string()).unwrap_or_default()
        );
        let address_key = client.map(|ip| format!("addr:{ip}"));
        let account_key = account_key(name);

        let mut wait = Duration::ZERO;
        let (n, last) = store.login_failure_stats(&pair_key, since).await?;
        if let Some(last) = last {
            wait = wait.max(last + self.throttle.delay(n, self.throttle.pair_free) - now);
        }
        if let Some(key) = &address_key {
            let (n, last) = store.login_failure_stats(key, since).await?;
            if let Some(last) = last {
                wait = wait.max(last + self.throttle.delay(n, self.throttle.address_free) - now);
            }
        }
        if wait > Duration::ZERO {
            tracing::warn!(account = %lower_name(name), "sign-in refused: throttled");
            return Err(AccountError::RateLimited {
                retry_after: seconds_up(wait),
            });
        }
        let (everywhere, _) = store
            .login_failure_stats(&account_key, now - self.throttle.account_window)
            .await?;
        let slow = self.throttle.account_slowdown(everywhere);
        if slow > Duration::ZERO {
            self.clock
                .sleep(std::time::Duration::from_millis(
                    slow.whole_milliseconds().max(0) as u64,
                ))
                .await;
        }

        let plausible = check_user_name(name).is_ok()
            && !password.is_empty()
            && password.len() <= secret::MAX_PASSWORD;
        let user = if plausible {
            match store.user_by_name(name).await {
                Ok(u) => Some(u),
                Err(StorageError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
        let hash = match user.as_ref().and_then(|u| u.id) {
            Some(id) => Some(store.password_hash(id).await?),
            None => None,
        };
        let ok = plausible && secret::verify_password(password.to_owned(), hash).await;
        let user = match user {
            Some(u) if ok && !u.disabled => u,
            _ => {
                store.record_login_failure(&pair_key, now).await?;
                store.record_login_failure(&account_key, now).await?;
                if let Some(key) = &address_key {
                    store.record_login_failure(key, now).await?;
                }
                tracing::info!(account = %lower_name(name), "sign-in failed");
                return Err(AccountError::Unauthenticated);
            }
        };
        store.clear_login_failures(&pair_key).await?;
        // Housekeeping at a quiet moment: sessions that ran out are of no use to anyone.
        if let Err(e) = store.delete_expired_sessions(now).await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
        let session_id = self.start_session(&user, now).await?;
        tracing::info!(user = %user.name, "signed in");
        Ok(SignedIn { user, session_id })
    }

    async fn start_session(&self, user: &User, now: OffsetDateTime) -> AccountResult<String> {
        let user_id = user
            .id
            .ok_or_else(|| AccountError::NotFound("a stored user without an id".into()))?;
        let id = secret::random_hex()?;
        let session = Session {
            id_hash: secret::digest(&id),
            user_id,
            created_at: now,
            expires_at: now + SESSION_IDLE,
        };
        self.store().create_session(&session).await?;
        Ok(id)
    }

    /// The user of a live session (sliding its expiry forward once a day); `None` for an
    /// unknown, expired or malformed session id, or a disabled user.
    pub async fn session(&self, session_id: &str) -> AccountResult<Option<SessionUser>> {
        if session_id.len() != 64 {
            return Ok(None);
        }
        let now = self.now();
        let store = self.store();
        let Some((session, user)) = store.session(&secret::digest(session_id), now).await? else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        let expires = now + SESSION_IDLE;
        let mut renewed = false;
        if expires - session.expires_at >= RENEW_EVERY {
            match store.touch_session(&session.id_hash, expires).await {
                Ok(()) => renewed = true,
                Err(e) => tracing::warn!(error = %e, "could not renew a session"),
            }
        }
        Ok(Some(SessionUser { user, renewed }))
    }

    /// The user and scope of a bearer token (recording its use at most once a minute); `None`
    /// for an unknown, revoked or malformed token, or a disabled user.
    pub async fn bearer(&self, token: &str) -> AccountResult<Option<(User, TokenScope)>> {
        if !token.starts_with(secret::TOKEN_PREFIX) || token.len() > 128 {
            return Ok(None);
        }
        let now = self.now();
        let store = self.store();
        match store.token_by_hash(&secret::digest(token)).await? {
            Some((t, user)) if !user.disabled => {
                if let Some(id) = t.id
                    && t.last_used_at
                        .is_none_or(|at| now - at > Duration::minutes(1))
                    && let Err(e) = store.touch_token(id, now).await
                {
                    tracing::warn!(error = %e, "could not record an API token's use");
                }
                Ok(Some((user, t.scope)))
            }
            _ => Ok(None),
        }
    }

    /// Ends one session.
    pub async fn sign_out(&self, session_id: &str) -> AccountResult<()> {
        Ok(self
            .store()
            .delete_session(&secret::digest(session_id))
            .await?)
    }

    /// Ends all of a user's sessions; returns how many there were.
    pub async fn sign_out_everywhere(&self, user: UserId) -> AccountResult<u64> {
        Ok(self.store().delete_user_sessions(user).await?)
    }

    // ---- users -------------------------------------------------------------------------

    pub async fn users(&self) -> AccountResult<Vec<User>> {
        Ok(self.store().users().await?)
    }

    pub async fn user(&self, id: UserId) -> AccountResult<User> {
        Ok(self.store().user(id).await?)
    }

    pub async fn user_by_name(&self, name: &str) -> AccountResult<User> {
        match self.store().user_by_name(name).await {
            Err(StorageError::NotFound { .. }) => Err(AccountError::NotFound(format!(
                "there is no user named {:?}",
                name.chars().take(MAX_NAME_KEY).collect::<String>()
            ))),
            other => Ok(other?),
        }
    }

    /// Adds a user named `name` with the role named `role` and a first password, checking all
    /// three field by field; a taken name is a conflict.
    pub async fn add_user(&self, name: &str, role: &str, password: &str) -> AccountResult<User> {
        let mut errors = ValidationErrors::default();
        if let Err(m) = check_user_name(name) {
            errors.add("name", m);
        }
        let role = Role::parse(role).ok();
        if role.is_none() {
            errors.add("role", "choose owner, editor or viewer");
        }
        if let Err(m) = secret::check_new_password(password) {
            errors.add("password", m);
        }
        let Some(role) = role.filter(|_| errors.is_empty()) else {
            return Err(AccountError::Invalid(errors));
        };
        match self.store().user_by_name(name).await {
            Ok(_) => return Err(taken(name)),
            Err(StorageError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let hash = secret::hash_password(password.to_owned()).await?;
        match self
            .store()
            .create_user(&User::new(name, role), &hash)
            .await
        {
            Ok(u) => Ok(u),
            Err(StorageError::Conflict(_)) => Err(taken(name)),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `user` is the only enabled owner.
    async fn last_owner(&self, user: &User) -> AccountResult<bool> {
        if user.role != Role::Owner || user.disabled {
            return Ok(false);
        }
        let owners = self
            .users()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Owner && !u.disabled)
            .count();
        Ok(owners <= 1)
    }

    /// Gives a user the role named `role`; the last enabled owner keeps theirs (a conflict).
    pub async fn set_role(&self, id: UserId, role: &str) -> AccountResult<User> {
        let role = Role::parse(role).map_err(|e| AccountError::invalid("role", e.to_string()))?;
        let mut user = self.user(id).await?;
        if role != Role::Owner && self.last_owner(&user).await? {
            return Err(AccountError::Conflict(
                "The last owner cannot be given another role.".into(),
            ));
        }
        user.role = role;
        Ok(self.store().update_user(&user).await?)
    }

    /// Disables (ending all its sessions) or enables an account; the last enabled owner cannot
    /// be disabled (a conflict).
    pub async fn set_disabled(&self, id: UserId, disabled: bool) -> AccountResult<User> {
        let mut user = self.user(id).await?;
        if disabled && self.last_owner(&user).await? {
            return Err(AccountError::Conflict(
                "The last owner cannot be disabled.".into(),
            ));
        }
        user.disabled = disabled;
        let user = self.store().update_user(&user).await?;
        if disabled {
            self.store().delete_user_sessions(id).await?;
        }
        Ok(user)
    }

    /// Sets a user's password, as one operation: checks and hashes it, stores the hash, ends
    /// all the user's sessions (whoever knew the old password is signed out) and clears all of
    /// the account's sign-in throttling. Returns the user and how many sessions ended.
    pub async fn set_password(&self, id: UserId, password: &str) -> AccountResult<(User, u64)> {
        let user = self.user(id).await?;
        if let Err(m) = secret::check_new_password(password) {
            return Err(AccountError::invalid("password", m));
        }
        let hash = secret::hash_password(password.to_owned()).await?;
        let store = self.store();
        store.set_password_hash(id, &hash).await?;
        let ended = store.delete_user_sessions(id).await?;
        store
            .clear_login_failures_prefix(&pair_prefix(&user.name))
            .await?;
        store.clear_login_failures(&account_key(&user.name)).await?;
        Ok((user, ended))
    }

    // ---- API tokens --------------------------------------------------------------------

    /// Creates an API token for `user`; the secret is in the answer and nowhere else. A
    /// viewer's tokens can only read.
    pub async fn create_token(
        &self,
        user: &User,
        label: &str,
        scope: &str,
    ) -> AccountResult<NewToken> {
        let mut errors = ValidationErrors::default();
        let label = label.trim();
        if label.is_empty() {
            errors.add("label", "this cannot be empty");
        } else if label.chars().count() > MAX_LABEL {
            errors.add("label", format!("at most {MAX_LABEL} characters"));
        } else if label.chars().any(char::is_control) {
            errors.add("label", "control characters are not allowed");
        }
        let scope = TokenScope::parse(scope).ok();
        match scope {
            None => errors.add("scope", "choose read or write"),
            Some(TokenScope::Write) if !user.role.can_edit() => {
                errors.add("scope", "a viewer's tokens can only read")
            }
            Some(_) => {}
        }
        let (Some(scope), Some(user_id)) = (scope.filter(|_| errors.is_empty()), user.id) else {
            return Err(AccountError::Invalid(errors));
        };
        let secret = secret::new_api_token()?;
        let token = self
            .store()
            .create_token(&ApiToken {
                id: None,
                user_id,
                label: label.to_owned(),
                scope,
                prefix: secret.chars().take(10).collect(),
                hash: secret::digest(&secret),
                created_at: self.now(),
                last_used_at: None,
            })
            .await?;
        tracing::info!(user = %user.name, scope = scope.as_str(), "API token created");
        Ok(NewToken { token, secret })
    }

    /// A user's tokens, newest first.
    pub async fn tokens(&self, user: UserId) -> AccountResult<Vec<ApiToken>> {
        Ok(self.store().tokens(user).await?)
    }

    /// Every user's tokens, by user name, each user's newest first.
    pub async fn all_tokens(&self) -> AccountResult<Vec<(User, ApiToken)>> {
        let mut all = Vec::new();
        for user in self.users().await? {
            let Some(id) = user.id else { continue };
            for t in self.tokens(id).await? {
                all.push((user.clone(), t));
            }
        }
        Ok(all)
    }

    /// Revokes token `id`: of `owner` only (the tokens page), or of anyone (`None`, the CLI).
    pub async fn revoke_token(&self, owner: Option<UserId>, id: i64) -> AccountResult<()> {
        let owner = match owner {
            Some(o) => o,
            None => self
                .all_tokens()
                .await?
                .into_iter()
                .find(|(_, t)| t.id == Some(id))
                .map(|(_, t)| t.user_id)
                .ok_or_else(|| AccountError::NotFound(format!("there is no token {id}")))?,
        };
        match self.store().revoke_token(owner, id).await {
            Err(StorageError::NotFound { .. }) => {
                Err(AccountError::NotFound(format!("there is no token {id}")))
            }
            other => Ok(other?),
        }
    }

    // ---- the set-up link ---------------------------------------------------------------

    /// Creates a set-up token when there are no users; returns it (for the log).
    pub async fn setup_link_if_no_users(&self) -> AccountResult<Option<String>> {
        let store = self.store();
        if store.user_count().await? > 0 {
            return Ok(None);
        }
        let token = secret::random_hex()?;
        store
            .put_setup_token(&secret::digest(&token), self.now() + SETUP_VALID_FOR)
            .await?;
        Ok(Some(token))
    }

    /// Whether `token` is a live set-up token (and nobody exists yet).
    pub async fn setup_link_valid(&self, token: &str) -> AccountResult<bool> {
        if !plausible_setup_token(token) {
            return Ok(false);
        }
        Ok(self
            .store()
            .setup_token_valid(&secret::digest(token), self.now())
            .await?)
    }

    /// Spends the set-up token on the first owner and signs them in. A spent, unknown or
    /// expired token is not found.
    pub async fn redeem_setup_link(
        &self,
        token: &str,
        name: &str,
        password: &str,
        password_again: &str,
    ) -> AccountResult<SignedIn> {
        let gone = || AccountError::NotFound("no such set-up link".into());
        if !plausible_setup_token(token) {
            return Err(gone());
        }
        let mut errors = ValidationErrors::default();
        if let Err(m) = check_user_name(name) {
            errors.add("name", m);
        }
        if let Err(m) = secret::check_new_password(password) {
            errors.add("password", m);
        } else if password != password_again {
            errors.add("password_again", "the two passwords differ");
        }
        if !errors.is_empty() {
            return Err(AccountError::Invalid(errors));
        }
        let hash = secret::hash_password(password.to_owned()).await?;
        let now = self.now();
        let user = match self
            .store()
            .redeem_setup_token(
                &secret::digest(token),
                now,
                &User::new(name, Role::Owner),
                &hash,
            )
            .await
        {
            Ok(u) => u,
            Err(StorageError::NotFound { .. } | StorageError::Conflict(_)) => return Err(gone()),
            Err(e) => return Err(e.into()),
        };
        tracing::warn!(user = %user.name, "the first owner was created through the set-up link");
        let session_id = self.start_session(&user, now).await?;
        Ok(SignedIn { user, session_id })
    }
}

fn taken(name: &str) -> AccountError {
    AccountError::Conflict(format!(
        "a user named {:?} already exists",
        name.chars().take(MAX_NAME_KEY).collect::<String>()
    ))
}

fn plausible_setup_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_from_the_free_failures_to_the_cap() {
        let t = Throttle::default();
        assert_eq!(t.delay(0, 3), Duration::ZERO);
        assert_eq!(t.delay(2, 3), Duration::ZERO);
        assert_eq!(t.delay(3, 3), Duration::seconds(1));
        assert_eq!(t.delay(4, 3), Duration::seconds(2));
        assert_eq!(t.delay(5, 3), Duration::seconds(4));
        assert_eq!(t.delay(40, 3), Duration::minutes(15));
        assert_eq!(t.delay(u64::MAX, 3), Duration::minutes(15));
    }

    #[test]
    fn an_accounts_failures_from_everywhere_only_slow_it_boundedly() {
        let t = Throttle::default();
        assert_eq!(t.account_slowdown(10), Duration::ZERO);
        assert_eq!(t.account_slowdown(11), Duration::milliseconds(200));
        assert_eq!(t.account_slowdown(1_000_000), Duration::seconds(2));
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            AccountError::RateLimited { retry_after: 1 }.code(),
            "rate-limited"
        );
        assert_eq!(AccountError::Unauthenticated.code(), "unauthenticated");
        assert_eq!(AccountError::Forbidden(String::new()).code(), "forbidden");
        assert_eq!(
            AccountError::from(StorageError::not_found("user", "x")).code(),
            "not-found"
        );
    }
}
