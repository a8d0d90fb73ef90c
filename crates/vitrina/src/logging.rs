//! Structured logs with tracing: text for people or JSON for collectors. Request ids come from
//! the web layer's span.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Settings};

pub fn init(settings: &Settings) -> anyhow::Result<()> {
    let filter = match std::env::var("VITRINA_LOG") {
        Ok(f) => EnvFilter::try_new(f)?,
        Err(_) => EnvFilter::try_new(format!("{},sqlx=warn", settings.log_level))?,
    };
    // Colours only for a person at a terminal, never into log files or collectors.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let result = match settings.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    result.map_err(|e| anyhow::anyhow!(e))
}
