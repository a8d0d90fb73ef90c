//! A running site over a fresh SQLite store with the demo collection and a search index in the
//! same temporary folder, on 127.0.0.1:0; [`curators`] adds signed-in users.
//!
//! Every test file compiles this module and uses a part of it, hence `allow(dead_code)`.

#![allow(dead_code)]

pub mod curators;

use std::net::SocketAddr;
use std::sync::Arc;

use tempfile::TempDir;
use tokio::sync::oneshot;
use vitrina_operations::{Catalogue, open_store};
use vitrina_web::{App, WebSettings};

pub struct Site {
    pub addr: SocketAddr,
    pub catalogue: Catalogue,
    /// A client that follows no redirects and decodes no compression.
    pub client: reqwest::Client,
    pub dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// The body of a page that must answer 200.
    pub async fn page(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.unwrap()
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
}

/// A catalogue over a new SQLite file holding the demo collection, with a search index (in
/// `search/` beside the database) kept current by every write.
pub async fn demo_catalogue(dir: &TempDir) -> Catalogue {
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let index = vitrina_search::SearchIndex::open(&dir.path().join("search")).unwrap();
    let catalogue = Catalogue::new(open_store(&url).await.unwrap()).with_search(Arc::new(index));
    catalogue.load_demo().await.unwrap();
    catalogue.ensure_search_index().await.unwrap();
    catalogue
}

/// Starts the site over `catalogue`.
pub async fn start_with(catalogue: Catalogue, dir: TempDir, settings: Option<WebSettings>) -> Site {
    let settings = settings.unwrap_or_else(|| WebSettings::new(dir.path().join("media")));
    let app = App::new(catalogue.clone(), settings).unwrap();
    let (addr, stop) = serve(app).await;
    Site {
        addr,
        catalogue,
        client: plain_client(),
        dir,
        stop: Some(stop),
    }
}

/// Serves `app` on 127.0.0.1:0 in the background: its address, and the sender that stops it.
pub async fn serve(app: App) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        vitrina_web::serve(listener, app, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    (addr, tx)
}

/// The demo site.
pub async fn start() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = demo_catalogue(&dir).await;
    start_with(catalogue, dir, None).await
}

/// Every `href="…"` and `src="…"` in a page.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

/// How many times `needle` occurs in `hay`.
pub fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}
