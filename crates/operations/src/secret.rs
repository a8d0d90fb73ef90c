//! The secrets of the curator's workspace — session ids, API tokens, set-up tokens, CSRF tokens —
//! and the password hashes, in one place.
//!
//! Random secrets carry 256 bits from the operating system; storage only ever sees their
//! SHA-256 (hex). Passwords are hashed with argon2id on the blocking pool, so a sign-in never
//! stalls the threads that serve pages.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What an API token starts with, so that it is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "vt_";

/// The longest password accepted: argon2 would take any length, but a megabyte "password" is an
/// attack on the CPU, not a password.
pub const MAX_PASSWORD: usize = 1024;
/// The shortest password accepted for a new account.
pub const MIN_PASSWORD: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// 32 random bytes as 64 hex characters.
pub fn random_hex() -> Result<String, SecretError> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| SecretError::Random(e.to_string()))?;
    Ok(hex(&buf))
}

/// A new API token: `vt_` and 64 hex characters.
pub fn new_api_token() -> Result<String, SecretError> {
    Ok(format!("{TOKEN_PREFIX}{}", random_hex()?))
}

/// The SHA-256 of a secret, in hex: what storage keeps and looks up.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// The CSRF token of a session: derived from the session id (which only the cookie carries),
/// so it cannot be computed from anything stored or shown elsewhere, and it changes with the
/// session.
pub fn csrf_token(session_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"vitrina-csrf\0");
    h.update(session_id.as_bytes());
    hex(&h.finalize())
}

/// Compares two secrets in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Checks a new password: its length only (people choose pass phrases; rules about digits and
/// symbols make them worse). Returns the problem in words.
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err("at least 10 characters");
    }
    if password.len() > MAX_PASSWORD {
        return Err("at most 1024 bytes");
    }
    if password.chars().any(|c| c.is_control()) {
        return Err("control characters are not allowed");
    }
    Ok(())
}

/// Hashes a password with argon2id (PHC string), on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, SecretError> {
    tokio::task::spawn_blocking(move || hash_password_now(&password))
        .await
        .map_err(|e| SecretError::Hash(e.to_string()))?
}

/// Hashes a password with argon2id on this thread (for the command line).
pub fn hash_password_now(password: &str) -> Result<String, SecretError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// Whether `password` matches `hash`, on the blocking pool. With no stored hash (an unknown
/// user), a dummy hash is checked all the same, so the answer takes as long either way and
/// does not tell which names exist.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = hash.unwrap_or_else(|| DUMMY_HASH.with(|d| d.clone()));
        let ok = PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && !stored.is_empty()
    })
    .await
    .unwrap_or(false)
}

thread_local! {
    /// A hash of a random password, made once per blocking thread, for unknown users.
    static DUMMY_HASH: String = random_hex()
        .ok()
        .and_then(|p| hash_password_now(&p).ok())
        .unwrap_or_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(hash)).await);
        assert!(!verify_password("anything".into(), None).await);
        assert!(!verify_password("anything".into(), Some("not a hash".into())).await);
    }

    #[test]
    fn secrets_are_random_and_digests_stable() {
        let a = random_hex().unwrap();
        let b = random_hex().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(digest("x"), digest("x"));
        assert_ne!(digest(&a), a);
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert_ne!(csrf_token(&a), digest(&a));
        assert!(new_api_token().unwrap().starts_with("vt_"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough pass").is_ok());
        assert!(check_new_password(&"x".repeat(2000)).is_err());
        assert!(check_new_password("tab\there and more").is_err());
    }
}
