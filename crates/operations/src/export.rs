//! Taking a collection out: every type (drafts included, with a `published` column) and the
//! categories, as CSV (UTF-8; with a byte-order mark and semicolons for a Russian Excel), XLSX
//! or Vitrina's JSON; public fields only, or with the private ones for an owner, and the file
//! name says which. The rows are in collection order, so an export imported into an empty
//! instance and exported again gives the same file.

use serde::{Deserialize, Serialize};
use vitrina_catalogue::{Access, BadgeType, Snapshot};
use vitrina_formats::CsvOptions;

use crate::{Catalogue, Error};

/// The formats of an export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// RFC 4180: UTF-8, commas, CRLF, formula-like cells neutralised.
    #[default]
    Csv,
    /// CSV as a Russian Excel opens it by double-click: a byte-order mark and semicolons.
    Excel,
    Xlsx,
    /// Vitrina's own JSON: the collection, its categories and types, as they are kept.
    Json,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "csv" => ExportFormat::Csv,
            "excel" | "csv-excel" => ExportFormat::Excel,
            "xlsx" => ExportFormat::Xlsx,
            "json" => ExportFormat::Json,
            _ => return None,
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv | ExportFormat::Excel => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv | ExportFormat::Excel => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Json => "application/json",
        }
    }
}

/// An export, ready to be saved or sent.
#[derive(Debug, Clone)]
pub struct Exported {
    pub bytes: Vec<u8>,
    /// `vitrina-export-2026-12-07.csv`, `…-private.csv` with private fields.
    pub file_name: String,
    pub content_type: &'static str,
    pub types: usize,
}

/// Types are read from storage this many at a time.
const PAGE: u64 = 500;

impl Catalogue {
    /// The whole collection, drafts included, with private fields when `private` (the caller
    /// decides who may ask for them).
    pub async fn snapshot(&self, private: bool) -> Result<Snapshot, Error> {
        let access = if private {
            Access::Private
        } else {
            Access::Public
        };
        let collection = self.store.collection().await?.unwrap_or_default();
        let categories = self
            .store
            .all_categories()
            .await?
            .into_iter()
            .map(|c| {
                let mut c = c.category;
                c.id = None;
                c
            })
            .collect();
        let mut types: Vec<BadgeType> = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.all_types_after(after, PAGE, access).await?;
            let Some(last) = page.last() else { break };
            after = last.id.map_or(i64::MAX, |id| id.get());
            types.extend(page);
        }
        // Collection order, which an import keeps: the same file again after a round trip.
        types.sort_by(|a, b| {
            (a.position, &a.names.en, &a.slug).cmp(&(b.position, &b.names.en, &b.slug))
        });
        Ok(Snapshot {
            collection,
            categories,
            types,
        })
    }

    /// Exports the collection (see the module).
    pub async fn export(&self, format: ExportFormat, private: bool) -> Result<Exported, Error> {
        let snapshot = self.snapshot(private).await?;
        let types = snapshot.types.len();
        let bytes = match format {
            ExportFormat::Json => {
                vitrina_transfer::snapshot_to_json(&without_ids(snapshot), private).into_bytes()
            }
            ExportFormat::Csv | ExportFormat::Excel | ExportFormat::Xlsx => {
                let table = vitrina_transfer::write(&snapshot, private);
                let written = match format {
                    ExportFormat::Xlsx => vitrina_formats::write_xlsx(&table, "Vitrina"),
                    ExportFormat::Excel => {
                        vitrina_formats::write_csv(&table, &CsvOptions::excel_russian())
                    }
                    _ => vitrina_formats::write_csv(&table, &CsvOptions::default()),
                };
                written.map_err(|e| Error::Export(e.to_string()))?
            }
        };
        let date = time::OffsetDateTime::now_utc().date();
        let file_name = format!(
            "vitrina-export-{date}{}.{}",
            if private { "-private" } else { "" },
            format.extension()
        );
        Ok(Exported {
            bytes,
            file_name,
            content_type: format.content_type(),
            types,
        })
    }
}

/// A snapshot without the storage ids and versions of this database: another instance gives
/// its own.
fn without_ids(mut snapshot: Snapshot) -> Snapshot {
    for t in &mut snapshot.types {
        t.id = None;
        t.version = 0;
        for p in &mut t.photos {
            p.id = None;
        }
        for v in &mut t.variants {
            v.id = None;
            for s in &mut v.specimens {
                s.id = None;
                for p in &mut s.photos {
                    p.id = None;
                }
            }
        }
    }
    snapshot
}
