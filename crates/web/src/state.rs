//! The state every handler shares: the catalogue, the loaded templates, the assets and the
//! page cache.

use std::path::PathBuf;
use std::sync::Arc;

use minijinja::Value;
use vitrina_catalogue::Lang;
use vitrina_media::{Limits, LocalStore, Pipeline};
use vitrina_operations::Catalogue;

use crate::assets::Assets;
use crate::cache::PageCache;
use crate::error::WebError;
use crate::i18n;
use crate::templates::{self, Templates};

/// How the site is set up; the binary fills it from its configuration.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// A folder whose `*.html` files replace the embedded templates of the same name.
    pub templates_dir: Option<PathBuf>,
    /// Where media other than the embedded demo media are read from.
    pub media_dir: PathBuf,
    /// Memory for rendered pages, kept compressed, in MiB; 0 renders every page afresh.
    pub page_cache_mb: u64,
    /// API writes each user may make per minute on average, and at once.
    pub api_writes_per_minute: u32,
    pub api_write_burst: u32,
    /// Failed authentications (wrong API tokens) per client address per minute, after a
    /// burst of as many; more get 429 until the allowance refills.
    pub auth_failures_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client (for sign-in throttling); empty: the
    /// header is ignored.
    pub trusted_proxies: crate::auth::TrustedProxies,
}

impl WebSettings {
    /// Templates built in, media from `media_dir`, the default page cache.
    pub fn new(media_dir: impl Into<PathBuf>) -> Self {
        Self {
            templates_dir: None,
            media_dir: media_dir.into(),
            page_cache_mb: crate::cache::DEFAULT_BUDGET_MB,
            api_writes_per_minute: 600,
            api_write_burst: 120,
            auth_failures_per_minute: 30,
            trusted_proxies: Default::default(),
        }
    }
}

/// The shared state: cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    catalogue: Catalogue,
    settings: WebSettings,
    templates: Templates,
    assets: Assets,
    cache: PageCache,
    /// Photo uploads and their derivatives, over the media folder (or another store).
    media: Pipeline,
    /// The interface strings per language, converted once for the templates.
    strings: [Value; 2],
    write_limiter: crate::api::WriteLimiter,
    auth_failures: crate::api::AuthFailures,
    /// The largest file an import may send, in bytes.
    max_import_bytes: u64,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Loads and checks the templates (embedded, then overrides from `templates_dir`) and the
    /// assets. A template that does not parse, or does not render the error page, is an error
    /// here rather than on the first visitor's request.
    pub fn new(catalogue: Catalogue, settings: WebSettings) -> Result<App, WebError> {
        let store = Arc::new(LocalStore::new(settings.media_dir.clone()));
        let media = Pipeline::new(store, Limits::default());
        Self::with_media(catalogue, settings, media)
    }

    /// [`App::new`] with a photo pipeline of the caller's (its own limits or media store). The
    /// caller starts the pipeline's worker ([`Pipeline::spawn_worker`]).
    pub fn with_media(
        catalogue: Catalogue,
        settings: WebSettings,
        media: Pipeline,
    ) -> Result<App, WebError> {
        let assets = Assets::load();
        let templates = templates::load(settings.templates_dir.as_deref(), &assets)?;
        let strings = [
            Value::from(minijinja::value::Serde(i18n::strings(Lang::En))),
            Value::from(minijinja::value::Serde(i18n::strings(Lang::Ru))),
        ];
        let write_limiter =
            crate::api::WriteLimiter::new(settings.api_writes_per_minute, settings.api_write_burst);
        let mut inner = Inner {
            write_limiter,
            auth_failures: crate::api::AuthFailures::new(settings.auth_failures_per_minute),
            cache: PageCache::new(settings.page_cache_mb.saturating_mul(1024 * 1024)),
            catalogue,
            settings,
            templates,
            assets,
            media,
            strings,
            max_import_bytes: crate::admin::transfer::MAX_IMPORT_BYTES,
        };
        inner
            .templates
            .prerender_errors(&inner.strings, &inner.assets)?;
        Ok(App {
            inner: Arc::new(inner),
        })
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    /// The same app refusing import files larger than `bytes` (512 MiB unless told; tests make
    /// it small).
    ///
    /// # Panics
    ///
    /// When the app has been cloned already: set it before serving.
    pub fn with_max_import_bytes(mut self, bytes: u64) -> App {
        Arc::get_mut(&mut self.inner)
            .expect("the import limit is set before the app is shared")
            .max_import_bytes = bytes;
        self
    }

    /// The largest file an import may send, in bytes.
    pub fn max_import_bytes(&self) -> u64 {
        self.inner.max_import_bytes
    }

    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }

    /// The photo pipeline: uploads are ingested here, derivatives made by its worker.
    pub fn media(&self) -> &Pipeline {
        &self.inner.media
    }

    pub(crate) fn templates(&self) -> &Templates {
        &self.inner.templates
    }

    pub(crate) fn assets(&self) -> &Assets {
        &self.inner.assets
    }

    pub(crate) fn write_limiter(&self) -> &crate::api::WriteLimiter {
        &self.inner.write_limiter
    }

    pub(crate) fn auth_failures(&self) -> &crate::api::AuthFailures {
        &self.inner.auth_failures
    }

    pub(crate) fn cache(&self) -> &PageCache {
        &self.inner.cache
    }

    pub(crate) fn strings(&self, lang: Lang) -> Value {
        match lang {
            Lang::En => self.inner.strings[0].clone(),
            Lang::Ru => self.inner.strings[1].clone(),
        }
    }
}
