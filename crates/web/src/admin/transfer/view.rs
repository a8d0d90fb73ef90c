//! An import job as its page shows it. The job keeps its plan, its report or why it failed as
//! a JSON document (`{"plan": …}`, `{"report": …}`, `{"error": …}`, written by
//! `vitrina_operations::import::jobs`); it is read back here field by field, every field
//! optional, and shaped for the template in the curator's language: the mapping with each
//! column's choices, the counts, every problem, and the first records in a few words each.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use vitrina_catalogue::{BadgeType, Lang};
use vitrina_operations::import::ImportOptions;
use vitrina_storage::{Job, JobState};
use vitrina_transfer::{Field, Level};

use super::intake::{delimiter_name, grouping_name};
use crate::admin::history::human_time;
use crate::admin::lang::{tr, trf};
use crate::i18n;

/// What a job's report holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum JobDoc {
    Plan(PlanDoc),
    Report(ReportDoc),
    Error { message: String },
}

impl JobDoc {
    pub(crate) fn of(job: &Job) -> Option<JobDoc> {
        serde_json::from_value(job.report.clone()?).ok()
    }

    /// The plan it holds, or the plan its report was made from.
    pub(crate) fn plan(&self) -> Option<&PlanDoc> {
        match self {
            JobDoc::Plan(p) => Some(p),
            JobDoc::Report(r) => Some(&r.plan),
            JobDoc::Error { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PlanDoc {
    pub source: SourceDoc,
    pub columns: Vec<ColumnDoc>,
    pub counts: Counts,
    pub problems: Vec<ProblemDoc>,
    pub preview: Vec<serde_json::Value>,
    pub new_categories: Vec<serde_json::Value>,
    pub partial: bool,
    pub can_apply: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SourceDoc {
    pub name: String,
    pub format: Option<String>,
    pub encoding: Option<String>,
    pub encoding_guessed: bool,
    pub delimiter: Option<char>,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub bundle_sheet: Option<String>,
    pub bundle_pictures: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ColumnDoc {
    pub header: String,
    pub field: Option<String>,
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct Counts {
    pub rows: u64,
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub refused: u64,
    pub delete: u64,
    pub categories: u64,
    pub photos: u64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct ProblemDoc {
    pub line: Option<u64>,
    pub record: Option<String>,
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReportDoc {
    pub plan: PlanDoc,
    pub applied: bool,
    pub written: Written,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct Written {
    pub collection: bool,
    pub categories: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
}

/// What a job was asked to do, as its input keeps it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct InputDoc {
    pub name: String,
    pub size: u64,
    pub options: ImportOptions,
}

impl InputDoc {
    pub(crate) fn of(job: &Job) -> InputDoc {
        serde_json::from_value(job.input.clone()).unwrap_or_default()
    }
}

/// A choice in a `<select>`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Choice {
    pub value: &'static str,
    pub label: String,
}

/// The fields of one level, for an `<optgroup>`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FieldGroup {
    pub label: &'static str,
    pub fields: Vec<Choice>,
}

/// Every field a column can be read into, by level, labelled in `lang`.
pub(crate) fn field_groups(lang: Lang) -> Vec<FieldGroup> {
    [
        (Level::Type, "The type"),
        (Level::Variant, "A variant"),
        (Level::Specimen, "A piece"),
        (Level::Private, "A piece's private fields"),
    ]
    .into_iter()
    .map(|(level, label)| FieldGroup {
        label: tr(lang, label),
        fields: Field::ALL
            .iter()
            .filter(|f| f.level() == level)
            .map(|f| Choice {
                value: f.key(),
                label: f.label(lang).to_owned(),
            })
            .collect(),
    })
    .collect()
}

/// A column of the mapping table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ColumnView {
    pub index: usize,
    pub header: String,
    /// What the column is called on the page (its header, or "Column 3" without one).
    pub name: String,
    pub field: String,
    pub examples: Vec<String>,
}

/// One problem, located.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProblemView {
    pub line: String,
    pub record: String,
    pub column: String,
    pub message: String,
}

/// A record of the preview in a few words.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecordView {
    pub slug: String,
    pub name: String,
    pub name_ru: String,
    pub draft: bool,
    pub dates: String,
    pub issuer: String,
    pub categories: String,
    pub variants: Vec<VariantView>,
    pub photos: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct VariantView {
    pub name: String,
    pub materials: String,
    pub pieces: Vec<String>,
}

/// What was found out about the file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SourceView {
    pub name: String,
    pub format: String,
    pub encoding: String,
    pub encoding_guessed: bool,
    pub delimiter: String,
    pub sheets: Vec<String>,
    pub sheet: String,
    pub bundle_sheet: String,
    pub bundle_pictures: usize,
}

/// The plan as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PlanView {
    pub source: SourceView,
    pub columns: Vec<ColumnView>,
    pub counts: Counts,
    pub problems: Vec<ProblemView>,
    pub preview: Vec<RecordView>,
    /// How many records there are besides those shown.
    pub more_records: u64,
    pub new_categories: Vec<String>,
    pub can_apply: bool,
    /// Why it cannot be applied, when it cannot.
    pub why_not: String,
}

impl PlanView {
    pub(crate) fn of(plan: &PlanDoc, lang: Lang) -> PlanView {
        let s = &plan.source;
        let delimiter = s.delimiter.map(|c| match delimiter_name(c) {
            "comma" => tr(lang, "comma"),
            "semicolon" => tr(lang, "semicolon"),
            "tab" => tr(lang, "tab"),
            "bar" => tr(lang, "vertical bar"),
            _ => "",
        });
        let preview: Vec<RecordView> = plan
            .preview
            .iter()
            .filter_map(|v| serde_json::from_value::<BadgeType>(v.clone()).ok())
            .map(|t| record(&t, lang))
            .collect();
        let written = plan.counts.create + plan.counts.update;
        let why_not = if plan.can_apply {
            ""
        } else if !plan.problems.is_empty() && !plan.partial {
            "The file has problems (see Problems): nothing is imported while it has them. Correct them in the file and upload it again, map the columns differently and check again, or import only the records without problems."
        } else {
            "There is nothing to import: every record is already in the catalogue as the file has it."
        };
        PlanView {
            source: SourceView {
                name: s.name.clone(),
                format: s.format.clone().unwrap_or_default().to_uppercase(),
                encoding: s.encoding.clone().unwrap_or_default(),
                encoding_guessed: s.encoding_guessed,
                delimiter: delimiter.unwrap_or_default().to_owned(),
                sheets: s.sheets.clone(),
                sheet: s.sheet.clone().unwrap_or_default(),
                bundle_sheet: s.bundle_sheet.clone().unwrap_or_default(),
                bundle_pictures: s.bundle_pictures,
            },
            columns: plan
                .columns
                .iter()
                .enumerate()
                .map(|(index, c)| ColumnView {
                    index,
                    header: c.header.clone(),
                    name: if c.header.trim().is_empty() {
                        crate::admin::lang::trf(
                            lang,
                            "Column {n}",
                            &[("n", &(index + 1).to_string())],
                        )
                    } else {
                        c.header.clone()
                    },
                    field: c.field.clone().unwrap_or_default(),
                    examples: c.examples.clone(),
                })
                .collect(),
            counts: plan.counts,
            problems: plan.problems.iter().map(|p| problem(p, lang)).collect(),
            more_records: written.saturating_sub(preview.len() as u64),
            preview,
            new_categories: plan
                .new_categories
                .iter()
                .map(|c| {
                    let title = c.pointer("/title/en").and_then(|v| v.as_str());
                    let slug = c.get("slug").and_then(|v| v.as_str());
                    title.or(slug).unwrap_or_default().to_owned()
                })
                .collect(),
            can_apply: plan.can_apply,
            why_not: tr(lang, why_not).to_owned(),
        }
    }
}

pub(crate) fn problem(p: &ProblemDoc, lang: Lang) -> ProblemView {
    ProblemView {
        line: p.line.map(|l| l.to_string()).unwrap_or_default(),
        record: p.record.clone().unwrap_or_default(),
        column: p.column.clone().unwrap_or_default(),
        message: crate::admin::lang::message(lang, &p.message),
    }
}

/// A record in a few words: its names, dates, issuer and sections, each variant's materials
/// and pieces.
fn record(t: &BadgeType, lang: Lang) -> RecordView {
    let mut dates = Vec::new();
    if let Some(d) = &t.established {
        dates.push(i18n::date(lang, d));
    }
    if let Some(p) = &t.period {
        dates.push(i18n::period(lang, p));
    }
    RecordView {
        slug: t.slug.to_string(),
        name: t.names.en.clone(),
        name_ru: t.names.ru.clone(),
        draft: !t.published,
        dates: dates.join("; "),
        issuer: t
            .issuer
            .as_ref()
            .map(|i| i.name.get(lang).to_owned())
            .unwrap_or_default(),
        categories: t
            .categories
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        variants: t
            .variants
            .iter()
            .map(|v| VariantView {
                name: v.name.get(lang).to_owned(),
                materials: i18n::materials_phrase(lang, &v.materials, v.plating),
                pieces: v
                    .specimens
                    .iter()
                    .map(|s| {
                        let mut words = vec![s.inventory_number.clone()];
                        if let Some(c) = s.condition {
                            words.push(i18n::condition(lang, c).to_owned());
                        }
                        words.retain(|w| !w.is_empty());
                        words.join(", ")
                    })
                    .collect(),
            })
            .collect(),
        photos: t.photos.len() + t.specimens().map(|s| s.photos.len()).sum::<usize>(),
    }
}

/// The options a job's form starts from.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OptionsView {
    pub mode: &'static str,
    pub key: &'static str,
    pub grouping: &'static str,
    pub partial: bool,
    pub drafts: bool,
    pub encoding: String,
    pub delimiter: &'static str,
    pub sheet: String,
}

impl OptionsView {
    pub(crate) fn of(o: &ImportOptions) -> OptionsView {
        use vitrina_operations::import::{Key, Mode};
        OptionsView {
            mode: match o.mode {
                Mode::Create => "create",
                Mode::Upsert => "upsert",
                Mode::Replace => "replace",
            },
            key: match o.key {
                Key::Slug => "slug",
                Key::Inventory => "inventory",
            },
            grouping: grouping_name(o.grouping),
            partial: o.partial,
            drafts: o.drafts,
            encoding: o.read.encoding.clone().unwrap_or_default(),
            delimiter: o.read.delimiter.map(delimiter_name).unwrap_or_default(),
            sheet: o.read.sheet.clone().unwrap_or_default(),
        }
    }
}

/// The encodings a curator may choose instead of the detected one.
pub(crate) fn encodings() -> Vec<&'static str> {
    vitrina_formats::Encoding::ALL
        .iter()
        .map(|e| e.name())
        .collect()
}

/// When something happened: in words (UTC) and as RFC 3339 for `<time datetime>`.
pub(crate) fn when(lang: Lang, at: time::OffsetDateTime) -> (String, String) {
    (
        human_time(lang, at),
        at.format(&Rfc3339).unwrap_or_default(),
    )
}

/// An import job's page.
#[derive(Debug, Serialize)]
pub(crate) struct JobPage {
    title: String,
    id: i64,
    file: String,
    size: String,
    state: &'static str,
    author: String,
    when: String,
    at: String,
    done: u64,
    total: u64,
    queued: bool,
    running: bool,
    ended: bool,
    notice: String,
    /// Why the last request about this job was refused.
    refusal: String,
    /// Why the job could not be planned or failed.
    error: String,
    plan: Option<PlanView>,
    /// What an applied import wrote.
    written: Option<Written>,
    options: OptionsView,
    presets: Vec<String>,
    fields: Vec<FieldGroup>,
    encodings: Vec<&'static str>,
    delimiters: Vec<Choice>,
    problems: Vec<ProblemView>,
}

pub(crate) fn job_view(
    job: &Job,
    lang: Lang,
    notice: String,
    refusal: String,
    presets: Vec<String>,
) -> JobPage {
    let input = InputDoc::of(job);
    let doc = JobDoc::of(job);
    let (created, at) = when(lang, job.created_at);
    let plan = doc.as_ref().and_then(JobDoc::plan);
    let (error, written) = match &doc {
        Some(JobDoc::Error { message, .. }) => (crate::admin::lang::message(lang, message), None),
        Some(JobDoc::Report(r)) if r.applied => (String::new(), Some(r.written)),
        _ => (String::new(), None),
    };
    let error = if error.is_empty() && job.state == JobState::Interrupted {
        tr(
            lang,
            "The import stopped before it finished (the server stopped while it ran). Nothing of it was written: upload the file again to import it.",
        )
        .to_owned()
    } else {
        error
    };
    JobPage {
        title: trf(lang, "Import of “{file}”", &[("file", &input.name)]),
        id: job.id,
        size: size(lang, input.size),
        file: input.name,
        state: job.state.as_str(),
        author: job.author.name.clone(),
        when: created,
        at,
        done: job.done,
        total: job.total,
        queued: job.state == JobState::Queued,
        running: job.state == JobState::Running,
        ended: job.state.is_final(),
        notice,
        refusal,
        error,
        problems: plan
            .map(|p| p.problems.iter().map(|p| problem(p, lang)).collect())
            .unwrap_or_default(),
        plan: plan.map(|p| PlanView::of(p, lang)),
        written,
        options: OptionsView::of(&input.options),
        presets,
        fields: field_groups(lang),
        encodings: encodings(),
        delimiters: ["comma", "semicolon", "tab", "bar"]
            .into_iter()
            .map(|value| Choice {
                value,
                label: tr(
                    lang,
                    if value == "bar" {
                        "vertical bar"
                    } else {
                        value
                    },
                )
                .to_owned(),
            })
            .collect(),
    }
}

/// `204 bytes`, `12.5 KB`, `3.1 MB`, in `lang`.
fn size(lang: Lang, bytes: u64) -> String {
    match bytes {
        b if b < 1024 => trf(lang, "{n} bytes", &[("n", &b.to_string())]),
        b if b < 1024 * 1024 => format!("{:.1} {}", b as f64 / 1024.0, tr(lang, "KB")),
        b => format!("{:.1} {}", b as f64 / (1024.0 * 1024.0), tr(lang, "MB")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_offered_once_in_both_languages() {
        for lang in [Lang::En, Lang::Ru] {
            let groups = field_groups(lang);
            let n: usize = groups.iter().map(|g| g.fields.len()).sum();
            assert_eq!(n, Field::ALL.len());
        }
        let ru = field_groups(Lang::Ru);
        assert!(
            ru.iter()
                .flat_map(|g| &g.fields)
                .any(|c| c.value == "condition" && c.label == "Сохранность")
        );
    }

    #[test]
    fn a_stored_plan_is_read_back_whatever_it_lacks() {
        let doc: JobDoc = serde_json::from_value(serde_json::json!({"plan": {
            "source": {"name": "a.csv", "format": "csv", "encoding": "Windows-1251",
                "encoding_guessed": true, "delimiter": ";"},
            "columns": [{"header": "Название", "field": "title_en", "examples": ["МОПР"]}],
            "problems": [{"line": 3, "record": "x", "column": "Год", "field": null,
                "kind": "invalid", "message": "m"}],
            "preview": [{"slug": "x", "names": {"en": "X"}}],
            "can_apply": false
        }}))
        .unwrap();
        let view = PlanView::of(doc.plan().unwrap(), Lang::En);
        assert_eq!(view.source.delimiter, "semicolon");
        assert!(view.source.encoding_guessed);
        assert_eq!(view.problems[0].line, "3");
        assert_eq!(view.columns[0].field, "title_en");
        assert!(view.why_not.contains("problems"));
        let error: JobDoc = serde_json::from_value(
            serde_json::json!({"error": {"code": "unreadable", "message": "no"}}),
        )
        .unwrap();
        assert!(error.plan().is_none());
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(Lang::En, 12), "12 bytes");
        assert_eq!(size(Lang::En, 12_800), "12.5 KB");
        assert_eq!(size(Lang::En, 3 * 1024 * 1024), "3.0 MB");
        assert_eq!(size(Lang::Ru, 3 * 1024 * 1024), "3.0 МБ");
    }
}
