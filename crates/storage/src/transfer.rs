//! What bringing a collection in and taking it out asks of storage: every type a page at a time
//! (drafts, and private fields for curators), a batch of records written in one transaction
//! (all of it lands or none of it), who owns each inventory number, the column mappings kept
//! as named presets for the next file, and the jobs that run imports in the background, kept
//! in the database so their state outlives the process that ran them.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vitrina_catalogue::{Access, BadgeType, Category, Collection, Slug};

use crate::{Author, Result};

/// Records to write in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// The collection's own title and introduction, replaced when given.
    pub collection: Option<Collection>,
    /// Categories created, or replaced when their slug exists.
    pub categories: Vec<Category>,
    /// Types created, or replaced when their slug exists (a replaced type keeps its id, and
    /// its children keep theirs where the record carries them; a specimen without private
    /// fields keeps the stored ones).
    pub types: Vec<BadgeType>,
    /// Types deleted (their history keeps them).
    pub delete: Vec<Slug>,
}

/// What a batch wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchWritten {
    /// Whether the collection's title and introduction were written.
    pub collection: bool,
    pub categories: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
}

/// Where a background job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for its confirmation (an import's preview) or for a worker.
    Queued,
    Running,
    Done,
    Failed,
    /// Its process stopped while it ran (a crash, kill -9, a restart): what it wrote was one
    /// transaction that did not commit, so nothing of it is in the catalogue.
    Interrupted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            "interrupted" => JobState::Interrupted,
            _ => return None,
        })
    }

    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Interrupted
        )
    }
}

/// A background job (an import), as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: i64,
    /// `import`.
    pub kind: String,
    pub state: JobState,
    /// Who started it.
    pub author: Author,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Progress: records done of `total`.
    pub done: u64,
    pub total: u64,
    /// What the job was asked to do (its options, where its input is kept).
    pub input: serde_json::Value,
    /// What it found and did, once it has (a preview, then its report).
    pub report: Option<serde_json::Value>,
}

/// A change to a job's state.
#[derive(Debug, Clone, Default)]
pub struct JobUpdate {
    pub state: Option<JobState>,
    pub progress: Option<(u64, u64)>,
    pub input: Option<serde_json::Value>,
    pub report: Option<serde_json::Value>,
}

#[async_trait]
pub trait TransferStore: Send + Sync {
    /// Every type (drafts included) whose id is above `after`, in id order, at most `limit`,
    /// with their ids and versions; with [`Access::Private`] their private fields too.
    async fn all_types_after(
        &self,
        after: i64,
        limit: u64,
        access: Access,
    ) -> Result<Vec<BadgeType>>;
    /// The slug of every type, drafts included, in id order.
    async fn all_slugs(&self) -> Result<Vec<Slug>>;
    /// Every specimen's inventory number (non-empty) with the slug of its type.
    async fn inventory_owners(&self) -> Result<Vec<(String, Slug)>>;
    /// Writes `batch` as `author` in one transaction, each record with its revision and its
    /// change-log entry. Deletes come first, then the collection, the categories and the
    /// types; `progress` is told
    /// how many types have been written so far (before the commit).
    async fn write_batch(
        &self,
        batch: &Batch,
        author: &Author,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<BatchWritten>;

    /// The mapping presets by name, in name order.
    async fn presets(&self) -> Result<Vec<(String, serde_json::Value)>>;
    /// Keeps a preset under `name`, replacing one of that name.
    async fn save_preset(&self, name: &str, preset: &serde_json::Value) -> Result<()>;
    /// Forgets a preset (`NotFound` when there is none).
    async fn delete_preset(&self, name: &str) -> Result<()>;

    /// Starts a job record in state `Queued`.
    async fn create_job(
        &self,
        kind: &str,
        author: &Author,
        input: &serde_json::Value,
    ) -> Result<Job>;
    /// Changes a job (`NotFound` when there is none).
    async fn update_job(&self, id: i64, update: &JobUpdate) -> Result<Job>;
    async fn job(&self, id: i64) -> Result<Job>;
    /// The newest jobs first.
    async fn jobs(&self, limit: u64) -> Result<Vec<Job>>;
    /// Marks every running job interrupted, as a process does when it starts (its jobs cannot
    /// be running any more); how many there were. With several processes on one database,
    /// only jobs whose last update is older than `stale_secs` are touched.
    async fn interrupt_jobs(&self, stale_secs: i64) -> Result<u64>;
}
