//! Accounts: users, sessions, API tokens, sign-in failures and the set-up token
//! (migration `0003_accounts.sql`). Secrets arrive hashed; times are stored as Unix seconds.

use crate::Dialect;
use async_trait::async_trait;
use time::OffsetDateTime;
use vitrina_catalogue::{Role, TokenScope, User, UserId};
use vitrina_storage::{AccountStore, ApiToken, Result, Session, StorageError, from_unix, to_unix};

use crate::error::map;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
    role: String,
    created_at: i64,
    disabled: bool,
}

impl UserRow {
    fn into_user(self) -> Result<User> {
        Ok(User {
            id: Some(UserId::new(self.id)),
            role: Role::parse(&self.role).map_err(|e| StorageError::Backend(Box::new(e)))?,
            name: self.name,
            created_at: from_unix(self.created_at),
            disabled: self.disabled,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    label: String,
    scope: String,
    prefix: String,
    hash: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl TokenRow {
    fn into_token(self) -> Result<ApiToken> {
        Ok(ApiToken {
            id: Some(self.id),
            user_id: UserId::new(self.user_id),
            label: self.label,
            scope: TokenScope::parse(&self.scope)
                .map_err(|e| StorageError::Backend(Box::new(e)))?,
            prefix: self.prefix,
            hash: self.hash,
            created_at: from_unix(self.created_at),
            last_used_at: self.last_used_at.map(from_unix),
        })
    }
}

/// Failure rows older than this are pruned whenever one is recorded.
const KEEP_FAILURES_SECONDS: i64 = 24 * 60 * 60;

sql_impl! {
    #[async_trait]
    impl AccountStore for SqlStore<D> {
        async fn user_count(&self) -> Result<u64> {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(&self.read)
                .await
                .map_err(map::<D>)?;
            Ok(n as u64)
        }

        async fn users(&self) -> Result<Vec<User>> {
            let rows: Vec<UserRow> = sqlx::query_as(
                "SELECT id, name, role, created_at, disabled FROM users ORDER BY name, id",
            )
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.into_iter().map(UserRow::into_user).collect()
        }

        async fn user(&self, id: UserId) -> Result<User> {
            let row: Option<UserRow> =
                sqlx::query_as("SELECT id, name, role, created_at, disabled FROM users WHERE id = $1")
                    .bind(id.get())
                    .fetch_optional(&self.read)
                    .await
                    .map_err(map::<D>)?;
            row.ok_or_else(|| StorageError::not_found("user", id))?
                .into_user()
        }

        async fn user_by_name(&self, name: &str) -> Result<User> {
            let row: Option<UserRow> = sqlx::query_as(
                "SELECT id, name, role, created_at, disabled FROM users WHERE name = $1",
            )
            .bind(name)
            .fetch_optional(&self.read)
            .await
            .map_err(map::<D>)?;
            row.ok_or_else(|| StorageError::not_found("user", name))?
                .into_user()
        }

        async fn create_user(&self, user: &User, password_hash: &str) -> Result<User> {
            user.validate()?;
            let row: UserRow = sqlx::query_as(
                "INSERT INTO users (name, role, password_hash, created_at, disabled) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id, name, role, created_at, disabled",
            )
            .bind(user.name.as_str())
            .bind(user.role.as_str())
            .bind(password_hash)
            .bind(to_unix(user.created_at))
            .bind(user.disabled)
            .fetch_one(&self.write)
            .await
            .map_err(user_conflict::<D>)?;
            row.into_user()
        }

        async fn update_user(&self, user: &User) -> Result<User> {
            let id = user
                .id
                .ok_or_else(|| StorageError::not_found("user", "(no id)"))?;
            let row: Option<UserRow> = sqlx::query_as(
                "UPDATE users SET role = $2, disabled = $3 WHERE id = $1 \
                 RETURNING id, name, role, created_at, disabled",
            )
            .bind(id.get())
            .bind(user.role.as_str())
            .bind(user.disabled)
            .fetch_optional(&self.write)
            .await
            .map_err(map::<D>)?;
            row.ok_or_else(|| StorageError::not_found("user", id))?
                .into_user()
        }

        async fn password_hash(&self, id: UserId) -> Result<String> {
            let hash: Option<String> =
                sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                    .bind(id.get())
                    .fetch_optional(&self.read)
                    .await
                    .map_err(map::<D>)?;
            hash.ok_or_else(|| StorageError::not_found("user", id))
        }

        async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<()> {
            let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(id.get())
                .bind(password_hash)
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            if D::rows_affected(&done) == 0 {
                return Err(StorageError::not_found("user", id));
            }
            Ok(())
        }

        async fn create_session(&self, session: &Session) -> Result<()> {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(session.id_hash.as_str())
            .bind(session.user_id.get())
            .bind(to_unix(session.created_at))
            .bind(to_unix(session.expires_at))
            .execute(&self.write)
            .await
            .map_err(map::<D>)?;
            Ok(())
        }

        async fn session(&self, id_hash: &str, now: OffsetDateTime) -> Result<Option<(Session, User)>> {
            #[derive(sqlx::FromRow)]
            struct Row {
                id_hash: String,
                s_created_at: i64,
                expires_at: i64,
                #[sqlx(flatten)]
                user: UserRow,
            }
            let row: Option<Row> = sqlx::query_as(
                "SELECT s.id_hash, s.created_at AS s_created_at, s.expires_at, \
                        u.id, u.name, u.role, u.created_at, u.disabled \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.id_hash = $1 AND s.expires_at > $2",
            )
            .bind(id_hash)
            .bind(to_unix(now))
            .fetch_optional(&self.read)
            .await
            .map_err(map::<D>)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let user = row.user.into_user()?;
            let session = Session {
                id_hash: row.id_hash,
                user_id: user.id.unwrap_or(UserId::new(0)),
                created_at: from_unix(row.s_created_at),
                expires_at: from_unix(row.expires_at),
            };
            Ok(Some((session, user)))
        }

        async fn touch_session(&self, id_hash: &str, expires_at: OffsetDateTime) -> Result<()> {
            sqlx::query("UPDATE sessions SET expires_at = $2 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(to_unix(expires_at))
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            Ok(())
        }

        async fn delete_session(&self, id_hash: &str) -> Result<()> {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            Ok(())
        }

        async fn delete_user_sessions(&self, user_id: UserId) -> Result<u64> {
            let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id.get())
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            Ok(D::rows_affected(&done))
        }

        async fn delete_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
            let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(to_unix(now))
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            Ok(D::rows_affected(&done))
        }

        async fn create_token(&self, token: &ApiToken) -> Result<ApiToken> {
            let row: TokenRow = sqlx::query_as(
                "INSERT INTO api_tokens (user_id, label, scope, prefix, hash, created_at, last_used_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 RETURNING id, user_id, label, scope, prefix, hash, created_at, last_used_at",
            )
            .bind(token.user_id.get())
            .bind(token.label.as_str())
            .bind(token.scope.as_str())
            .bind(token.prefix.as_str())
            .bind(token.hash.as_str())
            .bind(to_unix(token.created_at))
            .bind(token.last_used_at.map(to_unix))
            .fetch_one(&self.write)
            .await
            .map_err(map::<D>)?;
            row.into_token()
        }

        async fn tokens(&self, user_id: UserId) -> Result<Vec<ApiToken>> {
            let rows: Vec<TokenRow> = sqlx::query_as(
                "SELECT id, user_id, label, scope, prefix, hash, created_at, last_used_at \
                 FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
            )
            .bind(user_id.get())
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.into_iter().map(TokenRow::into_token).collect()
        }

        async fn revoke_token(&self, user_id: UserId, token_id: i64) -> Result<()> {
            let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
                .bind(token_id)
                .bind(user_id.get())
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            if D::rows_affected(&done) == 0 {
                return Err(StorageError::not_found("API token", token_id));
            }
            Ok(())
        }

        async fn token_by_hash(&self, hash: &str) -> Result<Option<(ApiToken, User)>> {
            let row: Option<TokenRow> = sqlx::query_as(
                "SELECT id, user_id, label, scope, prefix, hash, created_at, last_used_at \
                 FROM api_tokens WHERE hash = $1",
            )
            .bind(hash)
            .fetch_optional(&self.read)
            .await
            .map_err(map::<D>)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let token = row.into_token()?;
            let user = self.user(token.user_id).await?;
            Ok(Some((token, user)))
        }

        async fn touch_token(&self, token_id: i64, at: OffsetDateTime) -> Result<()> {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(token_id)
                .bind(to_unix(at))
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            Ok(())
        }

        async fn record_login_failure(&self, key: &str, at: OffsetDateTime) -> Result<()> {
            let mut tx = self.begin().await?;
            sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(to_unix(at) - KEEP_FAILURES_SECONDS)
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                .bind(key)
                .bind(to_unix(at))
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            tx.commit().await.map_err(map::<D>)
        }

        async fn login_failures(&self, key: &str, since: OffsetDateTime) -> Result<u64> {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
                    .bind(key)
                    .bind(to_unix(since))
                    .fetch_one(&self.read)
                    .await
                    .map_err(map::<D>)?;
            Ok(n as u64)
        }

        async fn login_failure_stats(
            &self,
            key: &str,
            since: OffsetDateTime,
        ) -> Result<(u64, Option<OffsetDateTime>)> {
            let (n, last): (i64, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*), MAX(at) FROM login_failures WHERE key = $1 AND at >= $2",
            )
            .bind(key)
            .bind(to_unix(since))
            .fetch_one(&self.read)
            .await
            .map_err(map::<D>)?;
            Ok((n as u64, last.map(from_unix)))
        }

        async fn clear_login_failures_prefix(&self, prefix: &str) -> Result<()> {
            // substr/length instead of LIKE: a name may hold `%` or `_`.
            sqlx::query("DELETE FROM login_failures WHERE substr(key, 1, length($1)) = $1")
                .bind(prefix)
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            Ok(())
        }

        async fn clear_login_failures(&self, key: &str) -> Result<()> {
            sqlx::query("DELETE FROM login_failures WHERE key = $1")
                .bind(key)
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            Ok(())
        }

        async fn put_setup_token(&self, hash: &str, expires_at: OffsetDateTime) -> Result<()> {
            let mut tx = self.begin().await?;
            sqlx::query("DELETE FROM setup_tokens")
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            sqlx::query("INSERT INTO setup_tokens (hash, expires_at) VALUES ($1, $2)")
                .bind(hash)
                .bind(to_unix(expires_at))
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            tx.commit().await.map_err(map::<D>)
        }

        async fn setup_token_valid(&self, hash: &str, now: OffsetDateTime) -> Result<bool> {
            let valid: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM setup_tokens WHERE hash = $1 AND expires_at > $2) \
                        AND NOT EXISTS (SELECT 1 FROM users)",
            )
            .bind(hash)
            .bind(to_unix(now))
            .fetch_one(&self.read)
            .await
            .map_err(map::<D>)?;
            Ok(valid)
        }

        async fn redeem_setup_token(
            &self,
            hash: &str,
            now: OffsetDateTime,
            user: &User,
            password_hash: &str,
        ) -> Result<User> {
            user.validate()?;
            let mut tx = self.begin().await?;
            let taken = sqlx::query("DELETE FROM setup_tokens WHERE hash = $1 AND expires_at > $2")
                .bind(hash)
                .bind(to_unix(now))
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            let taken = D::rows_affected(&taken);
            if taken == 0 {
                return Err(StorageError::not_found("set-up token", "(hidden)"));
            }
            let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(&mut *tx)
                .await
                .map_err(map::<D>)?;
            if users > 0 {
                tx.commit().await.map_err(map::<D>)?;
                return Err(StorageError::Conflict(
                    "the collection already has users; the set-up link is spent".into(),
                ));
            }
            let row: UserRow = sqlx::query_as(
                "INSERT INTO users (name, role, password_hash, created_at, disabled) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id, name, role, created_at, disabled",
            )
            .bind(user.name.as_str())
            .bind(user.role.as_str())
            .bind(password_hash)
            .bind(to_unix(user.created_at))
            .bind(user.disabled)
            .fetch_one(&mut *tx)
            .await
            .map_err(user_conflict::<D>)?;
            tx.commit().await.map_err(map::<D>)?;
            row.into_user()
        }
    }
}

/// A taken user name, in words.
fn user_conflict<D: Dialect>(e: sqlx::Error) -> StorageError {
    match map::<D>(e) {
        StorageError::Conflict(_) => StorageError::Conflict("a user with this name exists".into()),
        other => other,
    }
}
