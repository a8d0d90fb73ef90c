//! Layered configuration: compiled defaults, then a TOML file, then `VITRINA_*` environment
//! variables, then flags. Unknown keys are errors at every layer; every key is documented in
//! `vitrina.example.toml` at the repository root.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::cli::{Cli, Command};

/// Environment variables with the `VITRINA_` prefix that are not configuration keys.
const NOT_KEYS: &[&str] = &["CONFIG", "LOG"];
/// Prefixes of variables that belong to the test suites, not to the program.
const NOT_KEY_PREFIXES: &[&str] = &["TEST_", "BENCH_"];

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The address the server listens on.
    pub listen: SocketAddr,
    /// The data folder: the SQLite database, media and the search index.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; empty means `sqlite://<data_dir>/vitrina.db`.
    pub database_url: String,
    /// Load the demo collection when `serve` starts on an empty store.
    pub load_demo: bool,
    /// A folder of templates overriding the built-in ones by name; empty for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub templates_dir: Option<PathBuf>,
    /// `text` (for people) or `json` (for log collectors).
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info` or `vitrina_web=debug,info` (`VITRINA_LOG` overrides it).
    pub log_level: String,
    /// The largest photo file a curator may upload, in megabytes (1–1000).
    pub max_upload_mb: u64,
    /// The most megapixels an uploaded photo may have, read from its header before it is
    /// decoded (1–1000).
    pub max_photo_megapixels: u64,
    /// How many photos are processed at the same time; 0 means one per core, at most 4.
    pub photo_workers: usize,
    /// Memory for rendered public pages, kept compressed, in MiB (0–65536); 0 turns the page
    /// cache off.
    pub page_cache_mb: u64,
    /// Render public pages into the page cache in the background after start-up and after
    /// changes, before visitors ask for them.
    pub warm_pages: bool,
    /// How long a request's head may take to arrive, in seconds (1–3600).
    pub header_timeout_secs: u64,
    /// How long one request may take, its body (an upload) included, in seconds (1–86400).
    pub request_timeout_secs: u64,
    /// How long a keep-alive connection may wait for its next request, and a request body may
    /// send nothing, in seconds (1–3600).
    pub idle_timeout_secs: u64,
    /// How many connections are served at once (1–1000000); more wait in the listen backlog.
    pub max_connections: usize,
    /// How long requests in flight may go on after SIGTERM, in seconds (0–3600).
    pub shutdown_grace_secs: u64,
    /// Reverse proxies (IP addresses or CIDR blocks) whose `X-Forwarded-For` names the client,
    /// for sign-in throttling; empty: the header is ignored. `VITRINA_TRUSTED_PROXIES` takes a
    /// comma-separated list.
    #[serde(deserialize_with = "list_or_commas")]
    pub trusted_proxies: Vec<String>,
    /// API writes each user may make per minute on average (1–1000000).
    pub api_writes_per_minute: u32,
    /// API writes each user may make at once, before the average applies (1–1000000).
    pub api_write_burst: u32,
    /// Failed authentications (a wrong API token) one client address may make per minute
    /// before it must wait, after a first burst of as many (1–1000000).
    pub auth_failures_per_minute: u32,
}

/// A list, or one string of comma-separated items (as environment variables give it).
fn list_or_commas<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Items {
        List(Vec<String>),
        One(String),
    }
    Ok(match Items::deserialize(d)? {
        Items::List(items) => items,
        Items::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./vitrina-data"),
            database_url: String::new(),
            load_demo: true,
            templates_dir: None,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            max_upload_mb: 50,
            max_photo_megapixels: 100,
            photo_workers: 0,
            page_cache_mb: vitrina_web::DEFAULT_PAGE_CACHE_MB,
            warm_pages: true,
            header_timeout_secs: 10,
            request_timeout_secs: 300,
            idle_timeout_secs: 60,
            max_connections: 1024,
            shutdown_grace_secs: 10,
            trusted_proxies: Vec::new(),
            api_writes_per_minute: 600,
            api_write_burst: 120,
            auth_failures_per_minute: 30,
        }
    }
}

/// The database URL with any password hidden: settings are logged and printed.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &vitrina_operations::redact_url(&self.database_url),
            )
            .field("load_demo", &self.load_demo)
            .field("templates_dir", &self.templates_dir)
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("max_photo_megapixels", &self.max_photo_megapixels)
            .field("photo_workers", &self.photo_workers)
            .field("page_cache_mb", &self.page_cache_mb)
            .field("warm_pages", &self.warm_pages)
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("idle_timeout_secs", &self.idle_timeout_secs)
            .field("max_connections", &self.max_connections)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("api_writes_per_minute", &self.api_writes_per_minute)
            .field("api_write_burst", &self.api_write_burst)
            .field("auth_failures_per_minute", &self.auth_failures_per_minute)
            .finish()
    }
}

/// The flags that override configuration keys, as a partial layer.
#[derive(Debug, Default, Serialize)]
struct FlagLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    load_demo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    templates_dir: Option<PathBuf>,
}

/// Where each key's value came from, so that a bad value is reported by the name the user
/// wrote (`VITRINA_MAX_UPLOAD_MB`, `max_upload_mb in vitrina.toml`, a flag), with the value.
#[derive(Debug, Default)]
struct Sources {
    /// key → (variable, raw value)
    env: std::collections::BTreeMap<String, (String, String)>,
    /// the file's name and its table
    file: Option<(String, toml::Table)>,
    /// keys given as flags
    flags: Vec<String>,
}

impl Sources {
    /// How the user named `key`, in the layer that won.
    fn name(&self, key: &str) -> String {
        if self.flags.iter().any(|k| k == key) {
            return format!("the flag for {key}");
        }
        if let Some((var, _)) = self.env.get(key) {
            return var.clone();
        }
        match &self.file {
            Some((file, table)) if table.contains_key(key) => format!("{key} in {file}"),
            _ => key.to_owned(),
        }
    }

    /// The value as the user wrote it, quoted.
    fn value(&self, key: &str) -> Option<String> {
        if let Some((_, raw)) = self.env.get(key) {
            return Some(format!("{raw:?}"));
        }
        let (_, table) = self.file.as_ref()?;
        table.get(key).map(|v| v.to_string())
    }

    /// One line naming the key, the value and what is expected; no Rust internals.
    fn explain(&self, err: &figment::Error) -> String {
        use figment::error::Kind;
        if let Kind::UnknownField(field, _) = &err.kind {
            let mut path = err.path.clone();
            path.push(field.clone());
            let key = path.join(".");
            let name = match (self.env.get(&key), &self.file) {
                (Some((var, _)), _) => format!("{var} (from the environment)"),
                (None, Some((file, _))) => format!("`{key}` in {file}"),
                (None, None) => format!("`{key}`"),
            };
            return format!("{name} is not a configuration key (see vitrina.example.toml)");
        }
        let key = err.path.join(".");
        let expected = expected(&key);
        match self.value(&key) {
            Some(value) => format!("{}: {value} is not {expected}", self.name(&key)),
            None => format!("{}: the value is not {expected}", self.name(&key)),
        }
    }
}

/// What a key takes, in words.
fn expected(key: &str) -> &'static str {
    match key {
        "listen" => "an address and port, such as 127.0.0.1:8080",
        "data_dir" | "templates_dir" => "a folder path",
        "database_url" => "a database URL (sqlite://PATH or postgres://…)",
        "load_demo" | "warm_pages" => "true or false",
        "log_format" => "text or json",
        "log_level" => "a log filter such as info",
        "max_connections" | "photo_workers" => "a whole number",
        "api_writes_per_minute" | "api_write_burst" | "auth_failures_per_minute" => {
            "a whole number"
        }
        _ if key.ends_with("_mb") || key.ends_with("_secs") || key.ends_with("megapixels") => {
            "a whole number"
        }
        _ => "a valid value",
    }
}

impl Settings {
    pub fn load(cli: &Cli) -> anyhow::Result<Self> {
        let mut flags = FlagLayer {
            data_dir: cli.common.data.clone(),
            database_url: cli.common.database.clone(),
            ..FlagLayer::default()
        };
        if let Command::Serve(serve) = &cli.command {
            flags.listen = serve.listen;
            flags.templates_dir = serve.templates.clone();
            if serve.no_demo {
                flags.load_demo = Some(false);
            }
        }
        let file = match &cli.config {
            Some(path) => {
                if !path.is_file() {
                    bail!("the config file {} does not exist", path.display());
                }
                Some(path.clone())
            }
            None => Some(PathBuf::from("vitrina.toml")).filter(|p| p.is_file()),
        };
        Self::from_layers(file.as_deref(), std::env::vars(), flags)
    }

    fn from_layers(
        file: Option<&Path>,
        env: impl Iterator<Item = (String, String)>,
        flags: FlagLayer,
    ) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        let mut sources = Sources::default();
        if let Some(file) = file {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the config file {}", file.display()))?;
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                let line = e
                    .span()
                    .map(|s| text[..s.start].lines().count().max(1))
                    .unwrap_or(1);
                anyhow::anyhow!(
                    "the config file {} is not valid TOML (line {line}): {}",
                    file.display(),
                    e.message()
                )
            })?;
            sources.file = Some((file.display().to_string(), table));
            figment = figment.merge(Toml::string(&text));
        }
        let mut env_layer = Vec::new();
        for (name, value) in env {
            let Some(key) = name.strip_prefix("VITRINA_") else {
                continue;
            };
            if NOT_KEYS.contains(&key) || NOT_KEY_PREFIXES.iter().any(|p| key.starts_with(p)) {
                continue;
            }
            sources
                .env
                .insert(key.to_ascii_lowercase(), (name.clone(), value.clone()));
            env_layer.push((key.to_ascii_lowercase(), value));
        }
        // Values follow figment's environment rules: `true`, `8080` and `"text"` are typed.
        let env_layer: std::collections::BTreeMap<String, figment::value::Value> = env_layer
            .into_iter()
            .map(|(key, value)| {
                let parsed = match value.parse() {
                    Ok(v) => v,
                    Err(never) => match never {},
                };
                (key, parsed)
            })
            .collect();
        figment = figment.merge(Serialized::defaults(env_layer));
        if let Ok(toml::Value::Table(set)) = toml::Value::try_from(&flags) {
            sources.flags = set.keys().cloned().collect();
        }
        figment = figment.merge(Serialized::defaults(flags));
        let mut settings: Settings = figment.extract().map_err(|e| {
            let mut msg = String::new();
            for err in e {
                if !msg.is_empty() {
                    msg.push_str("; ");
                }
                msg.push_str(&sources.explain(&err));
            }
            anyhow::anyhow!(msg)
        })?;
        if settings
            .templates_dir
            .as_ref()
            .is_some_and(|d| d.as_os_str().is_empty())
        {
            settings.templates_dir = None;
        }
        if settings.database_url.trim().is_empty() {
            settings.database_url = format!(
                "sqlite://{}",
                settings.data_dir.join("vitrina.db").display()
            );
        }
        for (key, value, range) in [
            ("max_upload_mb", settings.max_upload_mb, 1..=1000),
            (
                "max_photo_megapixels",
                settings.max_photo_megapixels,
                1..=1000,
            ),
            ("photo_workers", settings.photo_workers as u64, 0..=64),
            ("page_cache_mb", settings.page_cache_mb, 0..=65536),
            (
                "header_timeout_secs",
                settings.header_timeout_secs,
                1..=3600,
            ),
            (
                "request_timeout_secs",
                settings.request_timeout_secs,
                1..=86400,
            ),
            ("idle_timeout_secs", settings.idle_timeout_secs, 1..=3600),
            (
                "max_connections",
                settings.max_connections as u64,
                1..=1_000_000,
            ),
            (
                "shutdown_grace_secs",
                settings.shutdown_grace_secs,
                0..=3600,
            ),
            (
                "api_writes_per_minute",
                u64::from(settings.api_writes_per_minute),
                1..=1_000_000,
            ),
            (
                "api_write_burst",
                u64::from(settings.api_write_burst),
                1..=1_000_000,
            ),
            (
                "auth_failures_per_minute",
                u64::from(settings.auth_failures_per_minute),
                1..=1_000_000,
            ),
        ] {
            if !range.contains(&value) {
                bail!(
                    "{}: {value} is out of range: {key} must be between {} and {}",
                    sources.name(key),
                    range.start(),
                    range.end()
                );
            }
        }
        settings.trusted_proxies()?;
        if vitrina_operations::Engine::of_url(&settings.database_url).is_none() {
            bail!(
                "database_url must start with sqlite:// or postgres:// (got {})",
                vitrina_operations::redact_url(&settings.database_url)
            );
        }
        Ok(settings)
    }

    /// The effective settings as TOML, the password in the database URL redacted.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        shown.database_url = vitrina_operations::redact_url(&self.database_url);
        Ok(toml::to_string(&shown)?)
    }

    /// The bounds every photo upload is held to.
    pub fn media_limits(&self) -> vitrina_media::Limits {
        let mut limits = vitrina_media::Limits {
            max_bytes: self.max_upload_mb * 1_000_000,
            max_pixels: self.max_photo_megapixels * 1_000_000,
            ..vitrina_media::Limits::default()
        };
        if self.photo_workers > 0 {
            limits.concurrency = self.photo_workers;
        }
        limits
    }

    /// The bounds the server holds every client to.
    pub fn server_limits(&self) -> vitrina_web::ServerLimits {
        use std::time::Duration;
        vitrina_web::ServerLimits {
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            max_connections: self.max_connections,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }

    /// The parsed `trusted_proxies`.
    pub fn trusted_proxies(&self) -> anyhow::Result<vitrina_web::auth::TrustedProxies> {
        vitrina_web::auth::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// The search index: in the data folder, outside the database, so search behaves the same
    /// on SQLite and PostgreSQL.
    pub fn search_dir(&self) -> PathBuf {
        self.data_dir.join("search")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        vars.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn trusted_proxies_come_as_a_list_or_comma_separated_and_are_checked() {
        let s = Settings::from_layers(None, env(&[]), FlagLayer::default()).unwrap();
        assert!(s.trusted_proxies.is_empty());
        let f = file("trusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\"]\n");
        let s = Settings::from_layers(Some(f.path()), env(&[]), FlagLayer::default()).unwrap();
        assert_eq!(s.trusted_proxies, ["10.0.0.0/8", "127.0.0.1"]);
        let s = Settings::from_layers(
            None,
            env(&[("VITRINA_TRUSTED_PROXIES", "10.0.0.1, fd00::/8")]),
            FlagLayer::default(),
        )
        .unwrap();
        assert_eq!(s.trusted_proxies, ["10.0.0.1", "fd00::/8"]);
        assert!(
            s.trusted_proxies()
                .unwrap()
                .contains("fd00::1".parse().unwrap())
        );
        let err = Settings::from_layers(
            None,
            env(&[("VITRINA_TRUSTED_PROXIES", "10.0.0.0/99")]),
            FlagLayer::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("trusted_proxies"), "{err}");
    }

    #[test]
    fn defaults_put_sqlite_in_the_data_folder() {
        let s = Settings::from_layers(None, env(&[]), FlagLayer::default()).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://./vitrina-data/vitrina.db");
        assert!(s.load_demo);
    }

    #[test]
    fn layers_apply_in_order_file_then_environment_then_flags() {
        let f = file("listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/a\"\nload_demo = false\n");
        let s = Settings::from_layers(
            Some(f.path()),
            env(&[
                ("VITRINA_DATA_DIR", "/srv/b"),
                ("VITRINA_LISTEN", "127.0.0.1:9001"),
            ]),
            FlagLayer {
                listen: Some("127.0.0.1:9002".parse().unwrap()),
                ..FlagLayer::default()
            },
        )
        .unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:9002");
        assert_eq!(s.data_dir, PathBuf::from("/srv/b"));
        assert!(!s.load_demo);
        assert_eq!(s.database_url, "sqlite:///srv/b/vitrina.db");
    }

    #[test]
    fn unknown_keys_are_errors_in_the_file_and_the_environment() {
        let f = file("lisen = \"127.0.0.1:9000\"\n");
        let e = Settings::from_layers(Some(f.path()), env(&[]), FlagLayer::default()).unwrap_err();
        assert!(e.to_string().contains("lisen"), "{e}");
        let e = Settings::from_layers(
            None,
            env(&[("VITRINA_DATABSE_URL", "x")]),
            FlagLayer::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("databse_url"), "{e}");
        // documented non-keys and test variables are not configuration
        Settings::from_layers(
            None,
            env(&[
                ("VITRINA_LOG", "debug"),
                ("VITRINA_TEST_POSTGRES_URL", "x"),
                ("PATH", "/bin"),
            ]),
            FlagLayer::default(),
        )
        .unwrap();
    }

    #[test]
    fn bad_values_are_clear_errors() {
        for (vars, needle) in [
            (vec![("VITRINA_LISTEN", "not an address")], "listen"),
            (vec![("VITRINA_LOAD_DEMO", "perhaps")], "load_demo"),
            (vec![("VITRINA_LOG_FORMAT", "xml")], "log_format"),
            (vec![("VITRINA_DATABASE_URL", "mysql://x")], "database_url"),
            (vec![("VITRINA_MAX_UPLOAD_MB", "0")], "max_upload_mb"),
            (vec![("VITRINA_MAX_UPLOAD_MB", "-5")], "max_upload_mb"),
            (
                vec![("VITRINA_MAX_UPLOAD_MB", "1000000000000")],
                "max_upload_mb",
            ),
            (
                vec![("VITRINA_MAX_PHOTO_MEGAPIXELS", "5000")],
                "max_photo_megapixels",
            ),
            (vec![("VITRINA_PHOTO_WORKERS", "1000")], "photo_workers"),
            (vec![("VITRINA_PAGE_CACHE_MB", "100000")], "page_cache_mb"),
            (vec![("VITRINA_PAGE_CACHE_MB", "lots")], "page_cache_mb"),
            (vec![("VITRINA_WARM_PAGES", "maybe")], "warm_pages"),
        ] {
            let e = Settings::from_layers(None, env(&vars), FlagLayer::default()).unwrap_err();
            let text = e.to_string();
            assert!(text.to_lowercase().contains(needle), "{vars:?}: {e}");
            assert!(
                !text.contains(".rs:") && !text.contains("::"),
                "{vars:?}: {e}"
            );
        }
        let f = file("listen = [1, 2\n");
        assert!(Settings::from_layers(Some(f.path()), env(&[]), FlagLayer::default()).is_err());
    }

    #[test]
    fn photo_limits_come_from_the_settings() {
        let s = Settings::from_layers(
            None,
            env(&[
                ("VITRINA_MAX_UPLOAD_MB", "12"),
                ("VITRINA_MAX_PHOTO_MEGAPIXELS", "24"),
                ("VITRINA_PHOTO_WORKERS", "3"),
            ]),
            FlagLayer::default(),
        )
        .unwrap();
        let limits = s.media_limits();
        assert_eq!(limits.max_bytes, 12_000_000);
        assert_eq!(limits.max_pixels, 24_000_000);
        assert_eq!(limits.concurrency, 3);
        let default = Settings::default().media_limits();
        assert_eq!(default.max_bytes, 50_000_000);
        assert_eq!(default.max_pixels, 100_000_000);
        assert!(default.concurrency >= 1);
    }

    #[test]
    fn passwords_are_hidden_from_debug_and_show() {
        let s = Settings::from_layers(
            None,
            env(&[("VITRINA_DATABASE_URL", "postgres://bob:hunter2@db/v")]),
            FlagLayer::default(),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!s.to_toml().unwrap().contains("hunter2"));
    }

    #[test]
    fn the_example_config_documents_every_key_and_parses() {
        let example = include_str!("../../../vitrina.example.toml");
        let defaults = toml::to_string(&Settings::default()).unwrap();
        for line in defaults.lines() {
            let key = line.split('=').next().unwrap().trim();
            assert!(
                example.contains(&format!("# {key} =")) || example.contains(&format!("{key} =")),
                "{key} undocumented"
            );
        }
        let uncommented: String = example
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|l| l.contains(" = "))
                    .unwrap_or("")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let f = file(&uncommented);
        Settings::from_layers(Some(f.path()), env(&[]), FlagLayer::default()).unwrap();
    }
}
