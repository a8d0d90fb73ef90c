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
