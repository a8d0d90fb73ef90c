//! Imports as background jobs, for the workspace and the API: the uploaded file is kept in the
//! media store (under `imports/`, never served) and its plan stored with the job, so the user
//! can look at the preview, change the mapping and confirm — on any node, after a restart —
//! and the job's state and progress are in the database while it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use vitrina_media::Pipeline;
use vitrina_storage::{Author, Job, JobState, JobUpdate};

use super::{ImportError, ImportOptions, Plan, Report};
use crate::{Catalogue, Error};

/// What a job keeps of its input.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobInput {
    /// The file's name as uploaded (made safe).
    pub name: String,
    /// Where the file is kept in the media store.
    pub key: String,
    pub size: u64,
    pub options: ImportOptions,
}

/// What a job reports: its plan while it waits, its report once done, or why it failed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobReport {
    Plan(Plan),
    Report(Report),
    Error { code: String, message: String },
}

/// A job's report holds at most this many problems; the counts say how many there were.
const MAX_REPORTED_PROBLEMS: usize = 5_000;

/// Progress is written to the database this often while a job runs (its heartbeat).
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// A running job without a beat for this long is taken for dead.
const STALE_SECS: i64 = 10;

fn input_of(job: &Job) -> Result<JobInput, Error> {
    serde_json::from_value(job.input.clone())
        .map_err(|e| Error::Demo(format!("job {} has an unreadable input: {e}", job.id)))
}

fn report_value(report: &JobReport) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    // Keep the stored report bounded, whatever the file.
    for pointer in ["/plan/problems", "/report/plan/problems"] {
        if let Some(serde_json::Value::Array(problems)) = value.pointer_mut(pointer) {
            problems.truncate(MAX_REPORTED_PROBLEMS);
        }
    }
    value
}

fn error_report(e: &ImportError) -> JobReport {
    JobReport::Error {
        code: e.code().to_owned(),
        message: e.to_string(),
    }
}

impl Catalogue {
    /// Keeps an uploaded file and plans it: the job waits (`queued`) with its plan until
    /// [`Catalogue::run_import_job`]. A file that cannot be read ends the job `failed`, with
    /// why.
    pub async fn upload_import(
        &self,
        media: &Pipeline,
        name: &str,
        bytes: Vec<u8>,
        options: ImportOptions,
        author: &Author,
    ) -> Result<Job, Error> {
        let safe = vitrina_catalogue::Photo::safe_file_name(name);
        let stem: String = safe
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .take(100)
            .collect();
        let key = format!(
            "imports/{}/{}",
            uuid::Uuid::new_v4().simple(),
            if stem.trim_matches(['.', '_']).is_empty() {
                "upload".to_owned()
            } else {
                stem.trim_start_matches('.').to_owned()
            }
        );
        let input = JobInput {
            name: safe,
            key: key.clone(),
            size: bytes.len() as u64,
            options,
        };
        let job = self
            .store
            .create_job(
                "import",
                author,
                &serde_json::to_value(&input).map_err(|e| Error::Demo(e.to_string()))?,
            )
            .await?;
        let plan = self.plan_import(&input.name, &bytes, &input.options).await;
        let (state, report) = match plan {
            Ok(plan) => (JobState::Queued, JobReport::Plan(plan)),
            Err(ImportError::Catalogue(e)) => return Err(e),
            Err(e) => (JobState::Failed, error_report(&e)),
        };
        if state == JobState::Queued {
            media
                .store()
                .put(&key, bytes::Bytes::from(bytes))
                .await
                .map_err(|e| Error::Demo(format!("cannot keep the uploaded file: {e}")))?;
        }
        Ok(self
            .store
            .update_job(
                job.id,
                &JobUpdate {
                    state: Some(state),
                    report: Some(report_value(&report)),
                    ..JobUpdate::default()
                },
            )
            .await?)
    }

    /// Plans a waiting import again with other options (another mapping, encoding, sheet…).
    pub async fn replan_import(
        &self,
        media: &Pipeline,
        id: i64,
        options: ImportOptions,
    ) -> Result<Job, Error> {
        let job = self.store.job(id).await?;
        if job.state != JobState::Queued {
            return Err(vitrina_storage::StorageError::Conflict(format!(
                "the import is {}, it can no longer be changed",
                job.state.as_str()
            ))
            .into());
        }
        let mut input = input_of(&job)?;
        let bytes = self.kept_file(media, &input).await?;
        input.options = options;
        let report = match self.plan_import(&input.name, &bytes, &input.options).await {
            Ok(plan) => JobReport::Plan(plan),
            Err(ImportError::Catalogue(e)) => return Err(e),
            Err(e) => error_report(&e),
        };
        Ok(self
            .store
            .update_job(
                id,
                &JobUpdate {
                    input: Some(
                        serde_json::to_value(&input).map_err(|e| Error::Demo(e.to_string()))?,
                    ),
                    report: Some(report_value(&report)),
                    ..JobUpdate::default()
                },
            )
            .await?)
    }

    /// Starts a waiting import in the background, as `author`; returns the job, `running`.
    /// Its progress and, at the end, its report are kept with the job; the kept file is
    /// removed once it is done.
    pub async fn run_import_job(
        &self,
        media: &Pipeline,
        id: i64,
        author: &Author,
    ) -> Result<Job, Error> {
        let job = self.store.job(id).await?;
        if job.state != JobState::Queued {
            return Err(vitrina_storage::StorageError::Conflict(format!(
                "the import is {}, it cannot be started",
                job.state.as_str()
            ))
            .into());
        }
        let input = input_of(&job)?;
        let bytes = self.kept_file(media, &input).await?;
        let job = self
            .store
            .update_job(
                id,
                &JobUpdate {
                    state: Some(JobState::Running),
                    ..JobUpdate::default()
                },
            )
            .await?;
        let this = self.clone();
        let media = media.clone();
        let author = author.clone();
        tokio::spawn(async move {
            this.run_import(&media, id, input, bytes, &author).await;
        });
        Ok(job)
    }

    async fn run_import(
        &self,
        media: &Pipeline,
        id: i64,
        input: JobInput,
        bytes: Vec<u8>,
        author: &Author,
    ) {
        let done = Arc::new(AtomicU64::new(0));
        let total = Arc::new(AtomicU64::new(0));
        let reporter = {
            let (store, done, total) = (self.store.clone(), done.clone(), total.clone());
            tokio::spawn(async move {
                // Every beat, changed or not: a job whose beats stop is taken for dead
                // ([`Catalogue::interrupt_stale_jobs`]).
                loop {
                    tokio::time::sleep(PROGRESS_EVERY).await;
                    let now = (done.load(Ordering::Acquire), total.load(Ordering::Acquire));
                    let update = JobUpdate {
                        progress: Some(now),
                        ..JobUpdate::default()
                    };
                    if let Err(e) = store.update_job(id, &update).await {
                        tracing::warn!(job = id, error = %e, "cannot note an import's progress");
                    }
                }
            })
        };
        let result = self
            .import_file(
                &input.name,
                &bytes,
                &input.options,
                Some(media),
                author,
                &|d, t| {
                    done.store(d, Ordering::Release);
                    total.store(t, Ordering::Release);
                },
            )
            .await;
        reporter.abort();
        let (state, report) = match result {
            Ok(report) if report.applied => (JobState::Done, JobReport::Report(report)),
            Ok(report) => (JobState::Failed, JobReport::Report(report)),
            Err(e) => {
                tracing::error!(job = id, error = %e, "an import failed");
                (JobState::Failed, error_report(&e))
            }
        };
        let update = JobUpdate {
            state: Some(state),
            progress: Some((done.load(Ordering::Acquire), total.load(Ordering::Acquire))),
            report: Some(report_value(&report)),
            ..JobUpdate::default()
        };
        if let Err(e) = self.store.update_job(id, &update).await {
            tracing::error!(job = id, error = %e, "cannot record an import's end");
        }
        if let Err(e) = media.store().delete(&input.key).await {
            tracing::warn!(job = id, error = %e, "cannot remove an import's kept file");
        }
    }

    async fn kept_file(&self, media: &Pipeline, input: &JobInput) -> Result<Vec<u8>, Error> {
        match media.store().get(&input.key).await {
            Ok(Some(bytes)) => Ok(bytes.to_vec()),
            Ok(None) => {
                Err(vitrina_storage::StorageError::not_found("uploaded file", &input.key).into())
            }
            Err(e) => Err(Error::Demo(format!("cannot read the uploaded file: {e}"))),
        }
    }

    /// One import job.
    pub async fn import_job(&self, id: i64) -> Result<Job, Error> {
        let job = self.store.job(id).await?;
        if job.kind != "import" {
            return Err(vitrina_storage::StorageError::not_found("import", id).into());
        }
        Ok(job)
    }

    /// The newest import jobs.
    pub async fn import_jobs(&self, limit: u64) -> Result<Vec<Job>, Error> {
        Ok(self
            .store
            .jobs(limit)
            .await?
            .into_iter()
            .filter(|j| j.kind == "import")
            .collect())
    }

    /// Jobs left running by a process that stopped (no progress beat for 10 s) are marked
    /// interrupted: their transaction never committed, so nothing of them is in the catalogue.
    /// A server calls this when it starts and every little while.
    pub async fn interrupt_stale_jobs(&self) -> Result<u64, Error> {
        Ok(self.store.interrupt_jobs(STALE_SECS).await?)
    }
}
