//! `vitrina import FILE` and `vitrina export FILE`: the same operations as the workspace's and
//! the API's, from the command line, with a progress bar on stderr. An import prints what it
//! did (or, with `--dry-run`, would do) and every problem with its line; it exits 1 when
//! anything was refused.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use vitrina_operations::Catalogue;
use vitrina_operations::export::ExportFormat;
use vitrina_operations::import::{Grouping, ImportOptions, Plan, ReadChoices};
use vitrina_storage::Author;

use crate::cli::{ExportArgs, ImportArgs};
use crate::config::Settings;
use crate::serve::{existing_data, media_pipeline, open, prepare_data_dir};

/// The largest file an import reads (the workspace's upload limit is the same).
const MAX_IMPORT_BYTES: u64 = 512 << 20;

/// The catalogue with its search index when this process may write it; when a running server
/// holds the index, without it (the server's follower indexes the change from the database).
async fn catalogue(settings: &Settings) -> anyhow::Result<(Catalogue, bool)> {
    let store = open(settings).await?;
    match vitrina_search::SearchIndex::open(&settings.search_dir()) {
        Ok(index) => Ok((
            Catalogue::new(store).with_search(std::sync::Arc::new(index)),
            true,
        )),
        Err(e) => {
            tracing::debug!(error = %e, "the search index is not ours to write");
            Ok((Catalogue::new(store), false))
        }
    }
}

pub async fn import(settings: Settings, args: ImportArgs) -> anyhow::Result<()> {
    let file = &args.file;
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if size > MAX_IMPORT_BYTES {
        bail!(
            "{} is {} MB; an import reads at most {} MB",
            file.display(),
            size >> 20,
            MAX_IMPORT_BYTES >> 20
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if args.dry_run {
        let data = existing_data(&settings)?;
        eprintln!("Planning the import into {data}");
    } else {
        prepare_data_dir(&settings)?;
    }
    let options = ImportOptions {
        read: ReadChoices {
            format: None,
            encoding: args.encoding.clone(),
            delimiter: args.delimiter,
            sheet: args.sheet.clone(),
        },
        mapping: None,
        preset: args.preset.clone(),
        save_preset: args.save_preset.clone(),
        mode: args.mode,
        key: args.key,
        partial: args.partial,
        grouping: if args.group_by_title {
            Grouping::ByTitle
        } else {
            Grouping::Auto
        },
        drafts: args.drafts,
    };
    let (catalogue, indexed) = catalogue(&settings).await?;
    let result = if args.dry_run {
        catalogue
            .plan_import(&name, &bytes, &options)
            .await
            .map(|plan| (plan, None))
    } else {
        let bar = progress_bar();
        let media = media_pipeline(&settings);
        let report = catalogue
            .import_file(
                &name,
                &bytes,
                &options,
                Some(&media),
                &Author::system(),
                &|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                },
            )
            .await;
        bar.finish_and_clear();
        report.map(|r| {
            let written = (r.applied, r.written);
            (r.plan, Some(written))
        })
    };
    catalogue.store().close().await;
    let (plan, written) = result.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if let Some(path) = &args.report {
        let json = serde_json::to_vec_pretty(&plan).context("cannot write the report")?;
        std::fs::write(path, json)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    print_plan(&plan);
    match written {
        None => println!("Dry run: nothing was written."),
        Some((false, _)) => println!(
            "Nothing was written: the file has problems. Fix them, or import the valid \
             records alone with --partial."
        ),
        Some((true, w)) => {
            println!(
                "Written: {} created, {} updated, {} deleted, {} categories.",
                w.created, w.updated, w.deleted, w.categories
            );
            if !indexed && (w.created + w.updated + w.deleted) > 0 {
                println!(
                    "The running server holds the search index: it indexes the changes itself."
                );
            }
        }
    }
    if plan.counts.refused > 0 || !plan.problems.is_empty() {
        bail!(
            "{} record(s) refused, {} problem(s)",
            plan.counts.refused,
            plan.problems.len()
        );
    }
    Ok(())
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} records ({eta})")
    {
        bar.set_style(style);
    }
    bar
}

fn print_plan(plan: &Plan) {
    let s = &plan.source;
    let mut read = format!("Read {}", s.name);
    if let Some(f) = s.format {
        read.push_str(&format!(" as {}", f.name()));
    }
    if let Some(e) = &s.encoding {
        read.push_str(&format!(
            ", {e}{}",
            if s.encoding_guessed { " (guessed)" } else { "" }
        ));
    }
    if let Some(d) = s.delimiter {
        let d = if d == '\t' {
            "tab".to_owned()
        } else {
            format!("{d:?}")
        };
        read.push_str(&format!(", separated by {d}"));
    }
    if let Some(sheet) = &s.sheet {
        read.push_str(&format!(", sheet {sheet:?}"));
    }
    println!("{read}.");
    let mapped: Vec<String> = plan
        .columns
        .iter()
        .map(|c| match (&c.field, &c.label_en) {
            (Some(_), Some(label)) => format!("  {} → {label}", c.header),
            _ => format!("  {} (ignored)", c.header),
        })
        .collect();
    if !mapped.is_empty() {
        println!("Columns:\n{}", mapped.join("\n"));
    }
    let c = &plan.counts;
    println!(
        "{} rows: {} to create, {} to update, {} unchanged, {} refused{}{}.",
        c.rows,
        c.create,
        c.update,
        c.unchanged,
        c.refused,
        if c.delete > 0 {
            format!(", {} to delete", c.delete)
        } else {
            String::new()
        },
        if c.categories > 0 {
            format!(", {} new categories", c.categories)
        } else {
            String::new()
        }
    );
    for p in &plan.problems {
        println!("  {p}");
    }
}

pub async fn export(settings: Settings, args: ExportArgs) -> anyhow::Result<()> {
    let data = existing_data(&settings)?;
    eprintln!("Exporting {data}");
    let format = args.format.unwrap_or_else(|| format_of(&args.file));
    let store = open(&settings).await?;
    let catalogue = Catalogue::new(store);
    let exported = catalogue.export(format, args.private).await;
    catalogue.store().close().await;
    let exported = exported.context("cannot export the collection")?;
    if args.file.as_os_str() == "-" {
        std::io::stdout()
            .write_all(&exported.bytes)
            .context("cannot write to stdout")?;
    } else {
        write_atomically(&args.file, &exported.bytes)?;
        eprintln!(
            "Wrote {} types to {}{}",
            exported.types,
            args.file.display(),
            if args.private {
                " (with private fields: keep it safe)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn format_of(path: &Path) -> ExportFormat {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(ExportFormat::parse)
        .unwrap_or_default()
}

/// Writes beside the target and renames, so a failure never leaves half a file under its name.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
