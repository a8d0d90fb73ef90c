//! `vitrina serve`: open storage, load the demo into an empty store, serve until SIGINT/SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use vitrina_operations::{Catalogue, Engine, open_store, redact_url};
use vitrina_web::{App, WebSettings};

use crate::config::Settings;

/// Creates the data folder and proves it writable, so the problem is named before anything
/// else fails in a less obvious way.
pub fn prepare_data_dir(settings: &Settings) -> anyhow::Result<()> {
    let dir = &settings.data_dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
    let probe = dir.join(format!(".vitrina-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"ok")
        .with_context(|| format!("the data folder {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    std::fs::create_dir_all(settings.media_dir())
        .with_context(|| format!("cannot create {}", settings.media_dir().display()))?;
    Ok(())
}

/// The file of a SQLite database URL (relative to the working folder if the URL is); `None`
/// for another engine or an in-memory database.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    if Engine::of_url(url) != Some(Engine::Sqlite) {
        return None;
    }
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// For a command that works on a collection that exists (listing users or tokens, setting a
/// password, making or revoking a token): its database must be there already. Without this, a
/// command run from another folder, or with a mistyped `--data`, created an empty data folder
/// and answered from it ("No users yet"). Returns where the data is, for the command to say.
pub fn existing_data(settings: &Settings) -> anyhow::Result<String> {
    let url = &settings.database_url;
    if let Some(file) = sqlite_file(url)
        && !file.is_file()
    {
        bail!(
            "there is no Vitrina database at {} (data folder {}); pass --data with the folder \
             `vitrina serve` uses, or set VITRINA_DATABASE_URL; nothing was created",
            file.display(),
            settings.data_dir.display()
        );
    }
    Ok(redact_url(url))
}

pub async fn open(settings: &Settings) -> anyhow::Result<Arc<dyn vitrina_operations::Store>> {
    let url = &settings.database_url;
    if let Some(path) = sqlite_file(url) {
        // a relative sqlite path is relative to the working folder; make sure its folder exists
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).with_context(|| {
                format!("cannot create the database folder {}", parent.display())
            })?;
        }
    }
    open_store(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(url)))
}

/// Storage and the search index, joined in a catalogue; a stale or missing index is rebuilt.
pub async fn catalogue(
    settings: &Settings,
) -> anyhow::Result<(Catalogue, Arc<dyn vitrina_operations::Store>)> {
    let store = open(settings).await?;
    let dir = settings.search_dir();
    let index = vitrina_search::SearchIndex::open(&dir)
        .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
    let catalogue = Catalogue::new(store.clone()).with_search(Arc::new(index));
    Ok((catalogue, store))
}

/// `vitrina reindex`: rebuild the search index from storage.
pub async fn reindex(settings: Settings) -> anyhow::Result<()> {
    prepare_data_dir(&settings)?;
    let (catalogue, store) = catalogue(&settings).await?;
    let n = catalogue
        .reindex()
        .await
        .context("cannot rebuild the search index")?;
    store.close().await;
    println!(
        "Indexed {n} badge types in {}",
        settings.search_dir().display()
    );
    Ok(())
}

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    prepare_data_dir(&settings)?;
    let listener = match tokio::net::TcpListener::bind(settings.listen).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            bail!(
                "cannot listen on {}: the address is already in use",
                settings.listen
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot listen on {}", settings.listen)),
    };
    let (catalogue, store) = catalogue(&settings).await?;
    tracing::info!(engine = store.engine(), database = %redact_url(&settings.database_url), "storage ready");
    if settings.load_demo {
        catalogue
            .load_demo_if_empty()
            .await
            .context("cannot load the demo collection")?;
    }
    if let Some(reason) = catalogue
        .ensure_search_index()
        .await
        .context("cannot rebuild the search index")?
    {
        tracing::info!(%reason, "the search index was rebuilt");
    }
    // Import jobs left running by a process that stopped are marked interrupted (nothing of
    // them was committed), now and every little while for those of other nodes.
    let sweeper = {
        let catalogue = catalogue.clone();
        tokio::spawn(async move {
            loop {
                match catalogue.interrupt_stale_jobs().await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(
                        jobs = n,
                        "import jobs whose process stopped were marked interrupted"
                    ),
                    Err(e) => tracing::warn!(error = %e, "cannot look for interrupted jobs"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            }
        })
    };
    // Follow the change log: writes made through other nodes sharing the database reach this
    // node's index and page cache.
    let follower = catalogue.spawn_search_follower(std::time::Duration::from_secs(1));
    // Photos: originals and derivatives in the media folder; the worker makes derivatives in
    // the background and picks up whatever an earlier run left queued.
    let media = media_pipeline(&settings);
    let photo_worker = media.spawn_worker(std::future::pending::<()>());
    let app = App::with_media(
        catalogue,
        WebSettings {
            templates_dir: settings.templates_dir.clone(),
            media_dir: settings.media_dir(),
            page_cache_mb: settings.page_cache_mb,
            trusted_proxies: settings.trusted_proxies()?,
            api_writes_per_minute: settings.api_writes_per_minute,
            api_write_burst: settings.api_write_burst,
            auth_failures_per_minute: settings.auth_failures_per_minute,
        },
        media,
    )
    .context("cannot load the templates")?;
    let warmer = (settings.warm_pages && settings.page_cache_mb > 0)
        .then(|| vitrina_web::warm::spawn(app.clone()));
    let addr = listener.local_addr()?;
    tracing::info!("listening on http://{addr}");
    // A new instance with nobody to sign in: a one-time link makes the first owner.
    if let Some(token) = app
        .catalogue()
        .accounts()
        .setup_link_if_no_users()
        .await
        .context("cannot prepare the set-up link")?
    {
        tracing::warn!(
            "no users yet: open http://{addr}/admin/setup/{token} to create the owner \
             (the link works once, for 24 hours), or run `vitrina user add NAME --role owner`"
        );
    }
    let served = vitrina_web::serve_with(listener, app, shutdown, settings.server_limits()).await;
    follower.abort();
    sweeper.abort();
    if let Some(warmer) = warmer {
        warmer.abort();
    }
    // an unfinished photo stays queued in the media store for the next start
    photo_worker.abort();
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The photo pipeline over the media folder, with the configured limits.
pub fn media_pipeline(settings: &Settings) -> vitrina_media::Pipeline {
    let store = Arc::new(vitrina_media::LocalStore::new(settings.media_dir()));
    vitrina_media::Pipeline::new(store, settings.media_limits())
}

/// `vitrina photos rebuild`: remake every photo's derivatives from the stored originals.
pub async fn rebuild_photos(settings: Settings) -> anyhow::Result<()> {
    prepare_data_dir(&settings)?;
    let media = media_pipeline(&settings);
    let n = media
        .rebuild_all()
        .await
        .context("cannot read the stored photos")?;
    println!(
        "Rebuilt the derivatives of {n} photos in {}",
        settings.media_dir().display()
    );
    Ok(())
}

/// Registers for SIGINT (Ctrl-C) and SIGTERM at once — before the server says it is listening,
/// so a signal sent right after that is never missed — and returns a future that resolves on
/// either: the server stops accepting, requests in flight finish within `shutdown_grace_secs`,
/// then the server stops.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let (mut interrupt, mut terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
        )
    };
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT received, shutting down"),
            _ = terminate.recv() => tracing::info!("SIGTERM received, shutting down"),
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("Ctrl-C received, shutting down");
        }
    })
}
