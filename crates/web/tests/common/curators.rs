//! Curators against a real server: a server over the SQLite database in a folder (optionally
//! with the demo and a media pipeline), users with a role, signing in for the session cookie and
//! the CSRF token, and sessions made straight in the store when signing in is not under test.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use tempfile::TempDir;
use tokio::sync::oneshot;
use vitrina_catalogue::{Role, User};
use vitrina_media::{Limits, LocalStore, Pipeline};
use vitrina_operations::{Catalogue, open_store};
use vitrina_storage::{AccountStore, Session};
use vitrina_web::auth::secret;
use vitrina_web::{App, WebSettings};

/// Every user's password in these tests.
pub const PASSWORD: &str = "correct horse battery";

/// What the server holds besides the database.
#[derive(Debug, Default)]
pub struct Options {
    /// Load the demo collection first.
    pub demo: bool,
    /// Accept uploads through a media pipeline with these limits (in `media/`).
    pub media: Option<Limits>,
    /// The account use cases' clock (default: the real one).
    pub clock: Option<vitrina_operations::accounts::ManualClock>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<&'static str>,
    /// The largest import file (default: the app's own, 512 MiB).
    pub max_import_bytes: Option<u64>,
}

/// A server over the SQLite database in a folder. Dropping it stops the server and leaves the
/// database, so a test can start another over the same folder.
pub struct Server {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub catalogue: Catalogue,
    /// The upload pipeline, when started with [`Options::media`].
    pub media: Option<Pipeline>,
    pub media_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a server over `dir/vitrina.db` (media in `dir/media`).
pub async fn start(dir: &TempDir, options: Options) -> Server {
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let mut catalogue = Catalogue::new(open_store(&url).await.unwrap());
    if let Some(clock) = options.clock.clone() {
        catalogue = catalogue.with_clock(Arc::new(clock));
    }
    if options.demo {
        catalogue.load_demo().await.unwrap();
    }
    let media_dir = dir.path().join("media");
    let mut settings = WebSettings::new(media_dir.clone());
    settings.trusted_proxies =
        vitrina_web::auth::TrustedProxies::parse(&options.trusted_proxies).unwrap();
    let media = options
        .media
        .map(|limits| Pipeline::new(Arc::new(LocalStore::new(media_dir.clone())), limits));
    let app = match &media {
        Some(media) => App::with_media(catalogue.clone(), settings, media.clone()),
        None => App::new(catalogue.clone(), settings),
    }
    .unwrap();
    let app = match options.max_import_bytes {
        Some(bytes) => app.with_max_import_bytes(bytes),
        None => app,
    };
    let (addr, stop) = super::serve(app).await;
    Server {
        addr,
        client: super::plain_client(),
        catalogue,
        media,
        media_dir,
        stop: Some(stop),
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn accounts(&self) -> &dyn AccountStore {
        accounts(&self.catalogue)
    }

    /// The upload pipeline.
    ///
    /// # Panics
    ///
    /// If the server was started without [`Options::media`].
    pub fn media(&self) -> &Pipeline {
        self.media
            .as_ref()
            .expect("a server started with a media pipeline")
    }

    /// Adds a user with `role` and [`PASSWORD`].
    pub async fn add_user(&self, name: &str, role: Role) -> User {
        let hash = secret::hash_password(PASSWORD.into()).await.unwrap();
        self.accounts()
            .create_user(&User::new(name, role), &hash)
            .await
            .unwrap()
    }

    /// Posts the sign-in form (coming back to `/admin/tokens`).
    pub async fn login(&self, name: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/admin/login"))
            .form(&[
                ("name", name),
                ("password", password),
                ("next", "/admin/tokens"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Signs in and returns the session cookie (`vitrina_session=…`).
    pub async fn session(&self, name: &str) -> String {
        let res = self.login(name, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {name}");
        session_cookie(res.headers()).expect("a session cookie")
    }

    pub async fn get(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token of a session, as the tokens page shows it to forms.
    pub async fn csrf(&self, cookie: &str) -> String {
        let res = self.get("/admin/tokens", cookie).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        field_value(&html, "csrf").expect("a csrf field")
    }

    /// Adds a user with `role` and signs in: (session cookie, CSRF token).
    pub async fn curator(&self, name: &str, role: Role) -> (String, String) {
        self.add_user(name, role).await;
        let cookie = self.session(name).await;
        let csrf = self.csrf(&cookie).await;
        (cookie, csrf)
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// The catalogue's store as the account store.
pub fn accounts(catalogue: &Catalogue) -> &dyn AccountStore {
    let store: &dyn vitrina_storage::Store = catalogue.store().as_ref();
    store
}

/// A session for `user` made straight in the store (signing in is tested in `auth.rs`; elsewhere
/// it would only cost an argon2 hash per call): (session cookie, CSRF token).
pub async fn session_for(store: &dyn AccountStore, user: &User) -> (String, String) {
    let id = secret::random_hex().unwrap();
    let now = time::OffsetDateTime::now_utc();
    store
        .create_session(&Session {
            id_hash: secret::digest(&id),
            user_id: user.id.unwrap(),
            created_at: now,
            expires_at: now + time::Duration::hours(1),
        })
        .await
        .unwrap();
    (format!("vitrina_session={id}"), secret::csrf_token(&id))
}

/// The session cookie (`vitrina_session=…`) a response sets, if it sets one that is not empty.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("vitrina_session=") && !v.starts_with("vitrina_session=;"))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// The value of the first `name="…" value="…"` input.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// A response's `Location`, or "" when it has none.
pub fn location(res: &reqwest::Response) -> &str {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}
