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
