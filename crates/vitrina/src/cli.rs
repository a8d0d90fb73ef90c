//! Command-line flags. Flags override the environment, which overrides the config file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "vitrina",
    version,
    about = "Catalogue and exhibit a collection of badges, medals and orders"
)]
pub struct Cli {
    /// A TOML configuration file (default: vitrina.toml in the current folder, if present).
    #[arg(long, global = true, value_name = "FILE", env = "VITRINA_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// The data folder: database, media and search index live here.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// The database URL: sqlite://PATH (default: sqlite in the data folder) or postgres://…
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the exhibition site (loads the demo collection on first start).
    Serve(ServeArgs),
    /// The demo collection.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Rebuild the search index from storage.
    Reindex,
    /// The effective configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Photos: remake the web sizes of every uploaded photo.
    Photos {
        #[command(subcommand)]
        command: PhotosCommand,
    },
    /// Curator accounts: add users, list them, set passwords.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for scripts: create (the secret is printed once), list, revoke.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write the whole collection (catalogue, history, photo originals) to one archive file.
    Backup(BackupArgs),
    /// Restore the collection from an archive made by `vitrina backup` (checked first).
    Restore(RestoreArgs),
    /// Copy the whole collection into another database (SQLite or PostgreSQL), which must be empty.
    Migrate(MigrateArgs),
    /// Import a spreadsheet (CSV, TSV, XLSX, ODS), JSON records or Vitrina's own export, or a
    /// ZIP of a sheet and its photos; prints what was done, and exits 1 when anything was
    /// refused.
    Import(ImportArgs),
    /// Export the collection as CSV, XLSX or JSON.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Map the columns with a saved preset (see --save-preset).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Keep this file's mapping under a name, for the next file.
    #[arg(long, value_name = "NAME")]
    pub save_preset: Option<String>,
    /// create: only new records; upsert: new ones and updates; replace: the catalogue's types
    /// become the file's (others are deleted).
    #[arg(long, default_value = "upsert", value_parser = parse_mode)]
    pub mode: vitrina_operations::import::Mode,
    /// How a record finds the one it updates: by slug, or by a piece's inventory number.
    #[arg(long, default_value = "slug", value_parser = parse_key)]
    pub key: vitrina_operations::import::Key,
    /// Import the records without problems and report the rest (by default one problem
    /// refuses the whole file).
    #[arg(long)]
    pub partial: bool,
    /// Say what would be done, and do nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The file's encoding (utf-8, utf-16, windows-1251, koi8-r); detected when not given.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// A CSV file's delimiter (, ; | or tab); sniffed when not given.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<char>,
    /// The sheet of a workbook to read (the first by default).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Import new records as drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Rows with the same title are one type (several pieces of a type on their own rows).
    #[arg(long)]
    pub group_by_title: bool,
    /// Write the plan or report (every problem with its line) as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write the export (`-` for stdout).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// csv, excel (CSV for a Russian Excel: byte-order mark and semicolons), xlsx or json;
    /// by default told from FILE's extension, else csv.
    #[arg(long, value_parser = parse_export_format)]
    pub format: Option<vitrina_operations::export::ExportFormat>,
    /// Include the private fields (provenance, prices, storage places, private notes).
    #[arg(long)]
    pub private: bool,
}

fn parse_mode(s: &str) -> Result<vitrina_operations::import::Mode, String> {
    vitrina_operations::import::Mode::parse(s)
        .ok_or_else(|| format!("{s:?} is not a mode: use create, upsert or replace"))
}

fn parse_key(s: &str) -> Result<vitrina_operations::import::Key, String> {
    match s {
        "slug" => Ok(vitrina_operations::import::Key::Slug),
        "inventory" => Ok(vitrina_operations::import::Key::Inventory),
        _ => Err(format!("{s:?} is not a key: use slug or inventory")),
    }
}

fn parse_delimiter(s: &str) -> Result<char, String> {
    match s {
        "," | ";" | "|" => Ok(s.chars().next().unwrap_or(',')),
        "tab" | "\\t" | "\t" => Ok('\t'),
        _ => Err(format!("{s:?} is not a delimiter: use , ; | or tab")),
    }
}

fn parse_export_format(s: &str) -> Result<vitrina_operations::export::ExportFormat, String> {
    vitrina_operations::export::ExportFormat::parse(s)
        .ok_or_else(|| format!("{s:?} is not a format: use csv, excel, xlsx or json"))
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The archive to write (a ZIP file; replaced only once the new one is complete).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Also the accounts: users with their password hashes and roles.
    #[arg(long)]
    pub accounts: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The archive to restore.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace a collection that is not empty (everything in it is lost).
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database to copy the collection into: sqlite://PATH or postgres://…
    #[arg(long, value_name = "URL")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Do not load the demo collection into an empty store.
    #[arg(long)]
    pub no_demo: bool,

    /// A folder of templates overriding the built-in ones by name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Load the demo collection (records with the same slugs are replaced).
    Load,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration as TOML (secrets redacted).
    Show,
}

#[derive(Debug, Subcommand)]
pub enum PhotosCommand {
    /// Remake every photo's derivatives (thumbnail, display and zoom sizes, JPEG and WebP)
    /// from the stored originals: after an upgrade that changes them, or to repair them.
    Rebuild,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is asked for (or read from stdin when it is not a terminal).
    Add {
        /// The name the user signs in with.
        name: String,
        /// owner (everything, including users), editor (the catalogue) or viewer (reads all).
        #[arg(long, value_parser = parse_role)]
        role: vitrina_catalogue::Role,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the users with their roles.
    List,
    /// Set a user's password (and sign them out everywhere).
    Passwd {
        name: String,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user; prints the secret, once, alone on its line.
    Create {
        /// What the token is for ("backup script").
        label: String,
        /// The user the token acts as.
        #[arg(long)]
        user: String,
        /// read (reads only) or write (also changes what the user's role allows).
        #[arg(long, value_parser = parse_scope)]
        scope: vitrina_catalogue::TokenScope,
    },
    /// List tokens (never their secrets), of one user or of everyone.
    List {
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by its id (as `token list` shows it).
    Revoke { id: i64 },
}

fn parse_scope(s: &str) -> Result<vitrina_catalogue::TokenScope, String> {
    vitrina_catalogue::TokenScope::parse(s).map_err(|e| e.to_string())
}

fn parse_role(s: &str) -> Result<vitrina_catalogue::Role, String> {
    vitrina_catalogue::Role::parse(s).map_err(|e| e.to_string())
}
