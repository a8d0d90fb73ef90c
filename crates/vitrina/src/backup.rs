//! `vitrina backup FILE [--accounts]`, `vitrina restore FILE [--replace]` and
//! `vitrina migrate --to URL`: the whole collection into one archive and back, and from one
//! engine to the other, through `vitrina_operations::backup`. Progress goes to stderr (bars on a
//! terminal, one line per stage otherwise); the summary to stdout.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use vitrina_operations::backup::{
    BackupError, BackupOptions, Progress, RestoreReport, migrate as migrate_stores,
};
use vitrina_operations::{Catalogue, Engine, Store, open_store, redact_url};

use crate::cli::{BackupArgs, MigrateArgs, RestoreArgs};
use crate::config::Settings;
use crate::serve::{existing_data, media_pipeline, open, prepare_data_dir};

/// Progress on stderr: a bar per stage on a terminal, a line per stage elsewhere.
struct Bars {
    terminal: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    fn done(&self) {
        if let Ok(mut bar) = self.bar.lock()
            && let Some(bar) = bar.take()
        {
            bar.finish();
        }
    }
}

impl Progress for Bars {
    fn stage(&self, what: &str, total: Option<u64>) {
        self.done();
        if !self.terminal {
            eprintln!("{what}…");
            return;
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{msg:20} [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_message(what.to_owned());
        if total.is_none() {
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(bar) = self.bar.lock()
            && let Some(bar) = bar.as_ref()
        {
            bar.inc(n);
        }
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// The message of a refused restore, in the words of the command line.
fn explain(e: BackupError) -> anyhow::Error {
    match e {
        BackupError::NotEmpty(m) => anyhow::anyhow!(
            "{m}: restore into an empty database (a new --data folder or --database), or pass \
             --replace to replace everything in it; nothing was changed"
        ),
        other @ (BackupError::NotAnArchive(_)
        | BackupError::Damaged(_)
        | BackupError::Hostile(_)
        | BackupError::TooNew { .. }) => anyhow::anyhow!("{other}; nothing was changed"),
        other => anyhow::Error::new(other),
    }
}

pub async fn backup(settings: Settings, args: BackupArgs) -> anyhow::Result<()> {
    let data = existing_data(&settings)?;
    let store = open(&settings).await?;
    let catalogue = Catalogue::new(store.clone());
    let media = vitrina_media::LocalStore::new(settings.media_dir());
    let progress = Bars::new();
    let options = BackupOptions {
        accounts: args.accounts,
        originals: true,
    };
    let result = catalogue
        .backup(&media, &args.file, options, &progress)
        .await;
    progress.done();
    store.close().await;
    let report = result
        .map_err(anyhow::Error::new)
        .with_context(|| format!("cannot back up {data} to {}", args.file.display()))?;
    let c = report.manifest.counts;
    println!(
        "Backed up {} badge types, {} categories, {} revisions of history and {} photo \
         originals{} to {} ({})",
        c.types,
        c.categories,
        c.revisions,
        c.originals,
        if args.accounts {
            format!(", {} users and {} API tokens", c.users, c.tokens)
        } else {
            String::new()
        },
        args.file.display(),
        megabytes(report.bytes)
    );
    if !report.manifest.missing_originals.is_empty() {
        eprintln!(
            "vitrina: warning: {} photo originals were missing or damaged in {} and are not in \
             the backup",
            report.manifest.missing_originals.len(),
            settings.media_dir().display()
        );
    }
    Ok(())
}

/// A catalogue over `store` with the data folder's search index, when it can be opened (a
/// server running on the same folder holds it: that server's index follows the change log).
fn with_search(store: Arc<dyn Store>, settings: &Settings) -> Catalogue {
    let catalogue = Catalogue::new(store);
    match vitrina_search::SearchIndex::open(&settings.search_dir()) {
        Ok(index) => catalogue.with_search(Arc::new(index)),
        Err(e) => {
            eprintln!(
                "vitrina: the search index in {} is not rebuilt now ({e}); a running server \
                 catches up by itself, a stopped one when it starts",
                settings.search_dir().display()
            );
            catalogue
        }
    }
}

fn summary(report: &RestoreReport, into: &str) {
    let c = report.manifest.counts;
    println!(
        "Restored {} badge types, {} categories, {} revisions of history{} into {into}, from a \
         backup made by Vitrina {} on {} ({})",
        c.types,
        c.categories,
        c.revisions,
        if report.manifest.accounts {
            format!(", {} users and {} API tokens", c.users, c.tokens)
        } else {
            String::new()
        },
        report.manifest.vitrina_version,
        report.manifest.created_at,
        report.manifest.engine,
    );
    if report.originals_added > 0 {
        println!(
            "Copied {} photo originals; their web sizes are made by `vitrina serve` (or now by \
             `vitrina photos rebuild`)",
            report.originals_added
        );
    }
    if !report.missing_originals.is_empty() {
        eprintln!(
            "vitrina: warning: {} photos have no original in the media folder; they show as \
             failed until uploaded again",
            report.missing_originals.len()
        );
    }
}

pub async fn restore(settings: Settings, args: RestoreArgs) -> anyhow::Result<()> {
    if !args.file.is_file() {
        bail!("there is no archive at {}", args.file.display());
    }
    prepare_data_dir(&settings)?;
    let store = open(&settings).await?;
    let catalogue = with_search(store.clone(), &settings);
    let media = media_pipeline(&settings);
    let progress = Bars::new();
    let result = catalogue
        .restore(&media, &args.file, args.replace, &progress)
        .await;
    progress.done();
    store.close().await;
    let report = result
        .map_err(explain)
        .with_context(|| format!("cannot restore {}", args.file.display()))?;
    summary(&report, &redact_url(&settings.database_url));
    Ok(())
}

pub async fn migrate(settings: Settings, args: MigrateArgs) -> anyhow::Result<()> {
    let to = args.to.trim();
    if Engine::of_url(to).is_none() {
        bail!(
            "--to must be a database URL, sqlite://PATH or postgres://… (got {})",
            redact_url(to)
        );
    }
    if to == settings.database_url {
        bail!("--to names the database Vitrina uses now; name another one");
    }
    existing_data(&settings)?;
    prepare_data_dir(&settings)?;
    let source = open(&settings).await?;
    if let Some(file) = to.strip_prefix("sqlite://")
        && let Some(parent) = Path::new(file.split('?').next().unwrap_or(file)).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let target = open_store(to)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(to)))?;
    let media = media_pipeline(&settings);
    let temp = settings
        .data_dir
        .join(format!(".migrate-{}.zip", std::process::id()));
    let progress = Bars::new();
    let result = migrate_stores(
        &Catalogue::new(source.clone()),
        &Catalogue::new(target.clone()),
        &media,
        &temp,
        &progress,
    )
    .await;
    progress.done();
    source.close().await;
    target.close().await;
    let report = result.map_err(explain).with_context(|| {
        format!(
            "cannot copy {} into {}",
            redact_url(&settings.database_url),
            redact_url(to)
        )
    })?;
    summary(&report, &redact_url(to));
    println!(
        "The collection at {} is unchanged. To use the new database, start Vitrina with \
         --database {} (or database_url in vitrina.toml, or VITRINA_DATABASE_URL); it keeps \
         using the media in {}",
        redact_url(&settings.database_url),
        redact_url(to),
        settings.media_dir().display()
    );
    Ok(())
}
