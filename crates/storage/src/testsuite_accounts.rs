//! The accounts story every backend must tell the same way: users, sessions, API tokens,
//! sign-in failures and the set-up token. [`account_tests!`] turns each check into one
//! `#[tokio::test]`, like [`storage_tests!`](crate::storage_tests).
//!
//! [`account_tests!`]: crate::account_tests

use time::{Duration, OffsetDateTime};
use vitrina_catalogue::{Role, TokenScope, User, UserId};

use crate::{AccountStore, ApiToken, Session, StorageError, Store};

/// Expands to one `#[tokio::test]` per check; `$fresh` as for `storage_tests!`.
#[macro_export]
macro_rules! account_tests {
    ($fresh:path) => {
        $crate::account_tests!(@each $fresh;
            users_are_created_listed_and_updated,
            a_taken_or_invalid_name_is_refused,
            password_hashes_are_kept_per_user,
            sessions_expire_slide_and_are_deleted,
            api_tokens_are_found_by_hash_and_revoked_by_their_owner,
            login_failures_are_counted_in_a_window,
            login_failure_stats_and_prefix_clearing,
            the_setup_token_creates_the_first_owner_once,
            a_disabled_users_session_and_tokens_say_so,
        );
    };
    (@each $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let (store, guard) = $fresh().await;
                $crate::testsuite_accounts::$check(&store).await;
                $crate::Store::close(&store).await;
                drop(guard);
            }
        )*
    };
}

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

async fn add(store: &dyn AccountStore, name: &str, role: Role) -> User {
    let mut u = User::new(name, role);
    u.created_at = now();
    store
        .create_user(&u, &format!("$argon2id$hash-of-{name}"))
        .await
        .unwrap_or_else(|e| panic!("create user {name}: {e}"))
}

pub async fn users_are_created_listed_and_updated(store: &impl Store) {
    assert_eq!(store.user_count().await.unwrap(), 0);
    let anna = add(store, "anna", Role::Owner).await;
    let boris = add(store, "Борис", Role::Viewer).await;
    assert!(anna.id.is_some() && boris.id.is_some() && anna.id != boris.id);
    assert_eq!(anna.created_at, now());
    assert_eq!(store.user_count().await.unwrap(), 2);
    let names: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["anna", "Борис"]);
    assert_eq!(store.user(anna.id.unwrap()).await.unwrap(), anna);
    assert_eq!(store.user_by_name("Борис").await.unwrap(), boris);
    assert!(matches!(
        store.user_by_name("ANNA").await,
        Err(StorageError::NotFound { .. })
    ));
    assert!(matches!(
        store.user(UserId::new(999_999)).await,
        Err(StorageError::NotFound { .. })
    ));

    let mut changed = boris.clone();
    changed.role = Role::Editor;
    changed.disabled = true;
    changed.name = "ignored".into();
    let stored = store.update_user(&changed).await.unwrap();
    assert_eq!(stored.role, Role::Editor);
    assert!(stored.disabled);
    assert_eq!(
        stored.name, "Борис",
        "update_user changes role and flag only"
    );
    assert_eq!(store.user(boris.id.unwrap()).await.unwrap(), stored);
    let mut ghost = stored.clone();
    ghost.id = Some(UserId::new(999_999));
    assert!(matches!(
        store.update_user(&ghost).await,
        Err(StorageError::NotFound { .. })
    ));
}

pub async fn a_taken_or_invalid_name_is_refused(store: &impl Store) {
    add(store, "anna", Role::Owner).await;
    let again = store
        .create_user(&User::new("anna", Role::Viewer), "h")
        .await;
    assert!(matches!(again, Err(StorageError::Conflict(_))), "{again:?}");
    for bad in ["", " anna", "a\u{0}b", &"x".repeat(65)] {
        let r = store.create_user(&User::new(bad, Role::Viewer), "h").await;
        assert!(matches!(r, Err(StorageError::Invalid(_))), "{bad:?}: {r:?}");
    }
    assert_eq!(store.user_count().await.unwrap(), 1, "nothing half-written");
}

pub async fn password_hashes_are_kept_per_user(store: &impl Store) {
    let anna = add(store, "anna", Role::Owner).await;
    let boris = add(store, "boris", Role::Editor).await;
    let a = anna.id.unwrap();
    assert_eq!(
        store.password_hash(a).await.unwrap(),
        "$argon2id$hash-of-anna"
    );
    store.set_password_hash(a, "$argon2id$new").await.unwrap();
    assert_eq!(store.password_hash(a).await.unwrap(), "$argon2id$new");
    assert_eq!(
        store.password_hash(boris.id.unwrap()).await.unwrap(),
        "$argon2id$hash-of-boris"
    );
    assert!(matches!(
        store.set_password_hash(UserId::new(999_999), "x").await,
        Err(StorageError::NotFound { .. })
    ));
}

pub async fn sessions_expire_slide_and_are_deleted(store: &impl Store) {
    let anna = add(store, "anna", Role::Owner).await;
    let boris = add(store, "boris", Role::Editor).await;
    let session = |hash: &str, user: &User, hours: i64| Session {
        id_hash: hash.to_owned(),
        user_id: user.id.unwrap(),
        created_at: now(),
        expires_at: now() + Duration::hours(hours),
    };
    store
        .create_session(&session("s1", &anna, 1))
        .await
        .unwrap();
    store
        .create_session(&session("s2", &anna, 1))
        .await
        .unwrap();
    store
        .create_session(&session("s3", &boris, 1))
        .await
        .unwrap();

    let (s, u) = store.session("s1", now()).await.unwrap().expect("live");
    assert_eq!(s, session("s1", &anna, 1));
    assert_eq!(u, anna);
    assert!(store.session("nope", now()).await.unwrap().is_none());
    let later = now() + Duration::hours(2);
    assert!(
        store.session("s1", later).await.unwrap().is_none(),
        "expired"
    );

    store
        .touch_session("s1", now() + Duration::hours(3))
        .await
        .unwrap();
    assert!(
        store.session("s1", later).await.unwrap().is_some(),
        "renewed"
    );

    store.delete_session("s1").await.unwrap();
    assert!(store.session("s1", now()).await.unwrap().is_none());
    assert_eq!(
        store.delete_user_sessions(anna.id.unwrap()).await.unwrap(),
        1
    );
    assert!(store.session("s2", now()).await.unwrap().is_none());
    assert!(
        store.session("s3", now()).await.unwrap().is_some(),
        "others stay"
    );
    assert_eq!(store.delete_expired_sessions(later).await.unwrap(), 1);
    assert!(store.session("s3", now()).await.unwrap().is_none());
}

pub async fn api_tokens_are_found_by_hash_and_revoked_by_their_owner(store: &impl Store) {
    let anna = add(store, "anna", Role::Owner).await;
    let boris = add(store, "boris", Role::Viewer).await;
    let token = |user: &User, hash: &str, scope, minutes: i64| ApiToken {
        id: None,
        user_id: user.id.unwrap(),
        label: format!("script «{hash}»"),
        scope,
        prefix: "vt_abcdefg".into(),
        hash: hash.into(),
        created_at: now() + Duration::minutes(minutes),
        last_used_at: None,
    };
    let t1 = store
        .create_token(&token(&anna, "h1", TokenScope::Read, 0))
        .await
        .unwrap();
    let t2 = store
        .create_token(&token(&anna, "h2", TokenScope::Write, 1))
        .await
        .unwrap();
    let t3 = store
        .create_token(&token(&boris, "h3", TokenScope::Read, 2))
        .await
        .unwrap();
    assert!(t1.id.is_some() && t1.id != t2.id);
    assert_eq!(t1.label, "script «h1»");
    let mine: Vec<_> = store
        .tokens(anna.id.unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.hash)
        .collect();
    assert_eq!(mine, ["h2", "h1"], "newest first, only the user's");

    let (found, user) = store.token_by_hash("h2").await.unwrap().expect("found");
    assert_eq!(found.scope, TokenScope::Write);
    assert_eq!(user, anna);
    assert!(store.token_by_hash("nope").await.unwrap().is_none());

    store.touch_token(t2.id.unwrap(), now()).await.unwrap();
    let (found, _) = store.token_by_hash("h2").await.unwrap().unwrap();
    assert_eq!(found.last_used_at, Some(now()));

    assert!(
        matches!(
            store.revoke_token(anna.id.unwrap(), t3.id.unwrap()).await,
            Err(StorageError::NotFound { .. })
        ),
        "one user cannot revoke another's token"
    );
    store
        .revoke_token(anna.id.unwrap(), t2.id.unwrap())
        .await
        .unwrap();
    assert!(store.token_by_hash("h2").await.unwrap().is_none());
    assert!(store.token_by_hash("h3").await.unwrap().is_some());
    let dup = store
        .create_token(&token(&anna, "h1", TokenScope::Read, 3))
        .await;
    assert!(matches!(dup, Err(StorageError::Conflict(_))), "{dup:?}");
}

pub async fn login_failures_are_counted_in_a_window(store: &impl Store) {
    for m in [0, 5, 10] {
        store
            .record_login_failure("user:anna", now() + Duration::minutes(m))
            .await
            .unwrap();
    }
    store
        .record_login_failure("addr:127.0.0.1", now())
        .await
        .unwrap();
    assert_eq!(store.login_failures("user:anna", now()).await.unwrap(), 3);
    assert_eq!(
        store
            .login_failures("user:anna", now() + Duration::minutes(5))
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.login_failures("user:boris", now()).await.unwrap(), 0);
    store.clear_login_failures("user:anna").await.unwrap();
    assert_eq!(store.login_failures("user:anna", now()).await.unwrap(), 0);
    assert_eq!(
        store.login_failures("addr:127.0.0.1", now()).await.unwrap(),
        1
    );
    // Old rows are pruned as new ones are recorded.
    store
        .record_login_failure("user:x", now() + Duration::days(2))
        .await
        .unwrap();
    assert_eq!(
        store
            .login_failures("addr:127.0.0.1", now() - Duration::days(1))
            .await
            .unwrap(),
        0
    );
}

pub async fn the_setup_token_creates_the_first_owner_once(store: &impl Store) {
    let later = now() + Duration::hours(2);
    store
        .put_setup_token("old", now() + Duration::hours(1))
        .await
        .unwrap();
    store
        .put_setup_token("tok", now() + Duration::hours(1))
        .await
        .unwrap();
    assert!(
        !store.setup_token_valid("old", now()).await.unwrap(),
        "replaced"
    );
    assert!(store.setup_token_valid("tok", now()).await.unwrap());
    assert!(
        !store.setup_token_valid("tok", later).await.unwrap(),
        "expired"
    );
    let owner = User::new("anna", Role::Owner);
    assert!(matches!(
        store.redeem_setup_token("tok", later, &owner, "h").await,
        Err(StorageError::NotFound { .. })
    ));
    assert!(matches!(
        store
            .redeem_setup_token("tok", now(), &User::new("", Role::Owner), "h")
            .await,
        Err(StorageError::Invalid(_))
    ));
    assert!(
        store.setup_token_valid("tok", now()).await.unwrap(),
        "an invalid form spends nothing"
    );
    let anna = store
        .redeem_setup_token("tok", now(), &owner, "h")
        .await
        .unwrap();
    assert_eq!(anna.role, Role::Owner);
    assert_eq!(store.user_count().await.unwrap(), 1);
    assert!(
        matches!(
            store
                .redeem_setup_token("tok", now(), &User::new("eve", Role::Owner), "h")
                .await,
            Err(StorageError::NotFound { .. })
        ),
        "the link works once"
    );

    // A token made while users exist is never valid and is spent by a try.
    store
        .put_setup_token("late", now() + Duration::hours(1))
        .await
        .unwrap();
    assert!(!store.setup_token_valid("late", now()).await.unwrap());
    assert!(matches!(
        store
            .redeem_setup_token("late", now(), &User::new("eve", Role::Owner), "h")
            .await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(store.user_count().await.unwrap(), 1);
}

pub async fn a_disabled_users_session_and_tokens_say_so(store: &impl Store) {
    // Storage reports the flag; the web layer refuses disabled users.
    let mut anna = add(store, "anna", Role::Editor).await;
    let s = Session {
        id_hash: "abc".into(),
        user_id: anna.id.unwrap(),
        created_at: now(),
        expires_at: now() + Duration::days(14),
    };
    store.create_session(&s).await.unwrap();
    store
        .create_token(&ApiToken {
            id: None,
            user_id: anna.id.unwrap(),
            label: "t".into(),
            scope: TokenScope::Read,
            prefix: "vt_".into(),
            hash: "th".into(),
            created_at: now(),
            last_used_at: None,
        })
        .await
        .unwrap();
    anna.disabled = true;
    store.update_user(&anna).await.unwrap();
    let (back, user) = store.session("abc", now()).await.unwrap().unwrap();
    assert_eq!(back, s);
    assert!(user.disabled);
    let (_, user) = store.token_by_hash("th").await.unwrap().unwrap();
    assert!(user.disabled);
}

pub async fn login_failure_stats_and_prefix_clearing(store: &impl Store) {
    assert_eq!(
        store
            .login_failure_stats("pair:anna|1.2.3.4", now())
            .await
            .unwrap(),
        (0, None)
    );
    for m in [0, 3, 7] {
        store
            .record_login_failure("pair:anna|1.2.3.4", now() + Duration::minutes(m))
            .await
            .unwrap();
    }
    for key in [
        "pair:anna|5.6.7.8",
        "pair:an%|1.2.3.4",
        "pair:annabel|1.2.3.4",
        "user:anna",
    ] {
        store.record_login_failure(key, now()).await.unwrap();
    }
    assert_eq!(
        store
            .login_failure_stats("pair:anna|1.2.3.4", now())
            .await
            .unwrap(),
        (3, Some(now() + Duration::minutes(7)))
    );
    assert_eq!(
        store
            .login_failure_stats("pair:anna|1.2.3.4", now() + Duration::minutes(5))
            .await
            .unwrap()
            .0,
        1
    );
    store
        .clear_login_failures_prefix("pair:anna|")
        .await
        .unwrap();
    assert_eq!(
        store
            .login_failures("pair:anna|1.2.3.4", now())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .login_failures("pair:anna|5.6.7.8", now())
            .await
            .unwrap(),
        0
    );
    // Literal: neither a longer name nor a wildcard in another key is touched.
    assert_eq!(
        store
            .login_failures("pair:annabel|1.2.3.4", now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.login_failures("user:anna", now()).await.unwrap(), 1);
    store.clear_login_failures_prefix("pair:an%").await.unwrap();
    assert_eq!(
        store
            .login_failures("pair:an%|1.2.3.4", now())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .login_failures("pair:annabel|1.2.3.4", now())
            .await
            .unwrap(),
        1
    );
}
