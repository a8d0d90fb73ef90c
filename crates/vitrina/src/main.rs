//! The `vitrina` binary: flags and configuration are read and checked into [`Settings`] before
//! any work starts, then one module per subcommand does the work through
//! `vitrina_operations` and `vitrina_web`. Errors end the program with a message and a
//! non-zero exit, never a panic.

mod backup;
mod cli;
mod config;
mod demo;
mod logging;
mod serve;
mod token;
mod transfer;
mod user;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, ConfigCommand, DemoCommand};
use crate::config::Settings;

/// mimalloc: the server's many small, short-lived allocations per request (and its page cache's
/// long-lived ones) cost less and fragment less than with the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("vitrina: configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = logging::init(&settings) {
        eprintln!("vitrina: cannot start logging: {e:#}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vitrina: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(_) => serve::run(settings).await,
            Command::Demo {
                command: DemoCommand::Load,
            } => demo::load(settings).await,
            Command::Reindex => serve::reindex(settings).await,
            Command::Photos {
                command: cli::PhotosCommand::Rebuild,
            } => serve::rebuild_photos(settings).await,
            Command::Config {
                command: ConfigCommand::Show,
            } => {
                print!("{}", settings.to_toml()?);
                Ok(())
            }
            Command::User { command } => user::run(settings, command).await,
            Command::Token { command } => token::run(settings, command).await,
            Command::Backup(args) => backup::backup(settings, args).await,
            Command::Restore(args) => backup::restore(settings, args).await,
            Command::Migrate(args) => backup::migrate(settings, args).await,
            Command::Import(args) => transfer::import(settings, args).await,
            Command::Export(args) => transfer::export(settings, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // once: the log already goes to stderr, so this is not logged as well
            eprintln!("vitrina: {e:#}");
            ExitCode::FAILURE
        }
    }
}
