//! Warming the page cache: after start-up and after every settled change to the catalogue, a
//! background task renders the public pages nobody has asked for yet (the home pages, every
//! category, then every type in English and in Russian) until the cache's budget is nearly
//! full, so that the first visitor to a page does not wait for it to be rendered.
//!
//! Pages are rendered by sending requests through the site's own router, exactly as a visitor's
//! would be, one at a time, yielding between them: warming takes one core at most and gives way
//! to visitors. A change to the catalogue while warming stops the round; the next one starts
//! when the catalogue has been quiet for [`SETTLE`].

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;
use vitrina_catalogue::Lang;
use vitrina_storage::Page;

use crate::cache::PageKey;
use crate::state::App;

/// How long the catalogue must be unchanged before a round starts.
const SETTLE: Duration = Duration::from_secs(2);
/// How often the task looks for a new generation.
const POLL: Duration = Duration::from_secs(1);
/// Warming stops when the cache is this full (of its budget), leaving room for search pages
/// and whatever visitors ask for.
const FILL: f64 = 0.9;
/// Types listed per storage query.
const BATCH: u64 = 500;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Warmed {
    /// Pages rendered into the cache.
    pub rendered: u64,
    /// Pages that were already there.
    pub cached: u64,
    /// The round ended early: the cache was full or the catalogue changed.
    pub stopped_early: bool,
}

/// Starts the warming task; abort the handle to stop it.
pub fn spawn(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let router = crate::router(app.clone());
        let mut warmed_at = None;
        loop {
            let generation = app.catalogue().generation();
            if warmed_at != Some(generation) {
                tokio::time::sleep(SETTLE).await;
                if app.catalogue().generation() != generation {
                    continue;
                }
                let started = Instant::now();
                match warm(&app, &router).await {
                    Ok(w) => {
                        tracing::info!(
                            rendered = w.rendered,
                            already_cached = w.cached,
                            stopped_early = w.stopped_early,
                            cache_bytes = app.cache().weighted_size(),
                            seconds = started.elapsed().as_secs_f64(),
                            "page cache warmed"
                        );
                        warmed_at = Some(generation);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "warming the page cache failed; trying again later");
                        tokio::time::sleep(POLL * 30).await;
                    }
                }
            }
            tokio::time::sleep(POLL).await;
        }
    })
}

/// One round: renders every public page that is not cached yet, while there is room and the
/// catalogue stays at the generation it started with.
pub async fn warm(app: &App, router: &Router) -> Result<Warmed, String> {
    let generation = app.catalogue().generation();
    let mut round = Round {
        app,
        router,
        generation,
        done: Warmed::default(),
    };
    let home = app.catalogue().home().await.map_err(|e| e.to_string())?;
    let mut paths: Vec<String> = vec!["/".into()];
    paths.extend(
        home.categories
            .iter()
            .map(|c| format!("/categories/{}", c.category.slug)),
    );
    for lang in [Lang::En, Lang::Ru] {
        for path in &paths {
            if !round.page(lang, path).await? {
                return Ok(round.stopped());
            }
        }
    }
    for lang in [Lang::En, Lang::Ru] {
        let mut offset = 0;
        loop {
            let (types, total) = app
                .catalogue()
                .types(Page::new(offset, BATCH))
                .await
                .map_err(|e| e.to_string())?;
            for t in &types {
                if !round.page(lang, &format!("/types/{}", t.slug)).await? {
                    return Ok(round.stopped());
                }
            }
            offset += BATCH;
            if types.is_empty() || offset >= total {
                break;
            }
        }
    }
    Ok(round.done)
}

struct Round<'a> {
    app: &'a App,
    router: &'a Router,
    generation: u64,
    done: Warmed,
}

impl Round<'_> {
    /// Renders one page unless it is cached; `false` when the round must stop.
    async fn page(&mut self, lang: Lang, path: &str) -> Result<bool, String> {
        let app = self.app;
        if app.catalogue().generation() != self.generation
            || app.cache().weighted_size() as f64 >= app.cache().budget() as f64 * FILL
        {
            return Ok(false);
        }
        let key = PageKey {
            generation: self.generation,
            lang,
            path: path.to_owned(),
        };
        if app.cache().contains(&key) {
            self.done.cached += 1;
            return Ok(true);
        }
        let uri = crate::pages::localized(lang, path);
        let request = Request::get(&uri)
            .body(Body::empty())
            .map_err(|e| e.to_string())?;
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| e.to_string())?;
        // Rendering happened in the handler; the body is already in the cache.
        match response.status() {
            StatusCode::OK => self.done.rendered += 1,
            // a page deleted or unpublished since it was listed
            StatusCode::NOT_FOUND => {}
            status => return Err(format!("{uri} answered {status}")),
        }
        tokio::task::yield_now().await;
        Ok(true)
    }

    fn stopped(mut self) -> Warmed {
        self.done.stopped_early = true;
        self.done
    }
}
