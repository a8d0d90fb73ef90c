//! The templates: embedded in the binary, overridable by name from a folder, loaded and
//! compiled once at start-up. A variable a template names but the page does not provide is an
//! error (`UndefinedBehavior::Strict`), not an empty string.

use std::collections::HashMap;
use std::path::Path;

use bytes::Bytes;
use minijinja::{Environment, UndefinedBehavior, Value};
use rust_embed::Embed;
use serde::Serialize;
use vitrina_catalogue::Lang;

use crate::assets::Assets;
use crate::error::{Failure, WebError};
use crate::pages::Layout;

#[derive(Embed)]
#[folder = "templates/"]
struct Embedded;

pub(crate) struct Templates {
    env: Environment<'static>,
    /// The error pages, rendered once: they do not depend on the request.
    errors: HashMap<(Lang, Failure), Bytes>,
}

/// Loads the embedded templates, then every `*.html` in `dir`, which replaces the embedded
/// template of the same name (or adds a new one).
pub(crate) fn load(dir: Option<&Path>, assets: &Assets) -> Result<Templates, WebError> {
    let mut sources: Vec<(String, String)> = Vec::new();
    for name in Embedded::iter() {
        if let Some(file) = Embedded::get(&name) {
            let text = String::from_utf8_lossy(&file.data).into_owned();
            sources.push((name.to_string(), text));
        }
    }
    if let Some(dir) = dir {
        let read_err = |source| WebError::TemplatesDir {
            path: dir.to_owned(),
            source,
        };
        let mut overrides = Vec::new();
        collect(dir, dir, &mut overrides).map_err(read_err)?;
        for (name, text) in overrides {
            tracing::info!(template = %name, "template overridden from the templates folder");
            sources.retain(|(n, _)| *n != name);
            sources.push((name, text));
        }
    }
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| WebError::template("(syntax)", &e))?;
    env.set_syntax(syntax);
    env.set_formatter(html_formatter);
    // `asset_url["upload.js"]`: the fingerprinted URLs of the scripts and stylesheets, for
    // templates that are not rendered through a page's `Layout` (the curator's workspace).
    let asset_urls: HashMap<&str, &str> = [
        "upload.js",
        "workspace.js",
        "import.js",
        "viewer.js",
        "search.js",
        "admin.css",
        "site.css",
    ]
    .into_iter()
    .filter_map(|name| assets.url(name).map(|url| (name, url)))
    .collect();
    env.add_global(
        "asset_url",
        Value::from(minijinja::value::Serde(&asset_urls)),
    );
    // `field_label("established")`: a form field as the forms label it, for messages.
    env.add_function("field_label", |state: &minijinja::State, name: &str| {
        crate::admin::labels::field_label(crate::admin::lang::of_state(state), name)
    });
    // `_("Save")`: the workspace's words in the page's language (see `admin::lang`).
    env.add_function("_", crate::admin::lang::template_function);
    for (name, text) in sources {
        env.add_template_owned(name.clone(), text)
            .map_err(|e| WebError::template(&name, &e))?;
    }
    Ok(Templates {
        env,
        errors: HashMap::new(),
    })
}

/// Escapes `& < > " '` only: minijinja's default also escapes `/`, which turns every URL into
/// `&#x2f;types&#x2f;…` — valid, but three times longer and unreadable in the source.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if value.is_safe() || *state.auto_escape() != minijinja::AutoEscape::Html {
        return minijinja::escape_formatter(out, state, value);
    }
    let owned;
    let text = match value.as_str() {
        Some(s) => s,
        None if value.is_none() => "",
        None => {
            owned = value.to_string();
            &owned
        }
    };
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[start..i])?;
        out.write_str(rep)?;
        start = i + 1;
    }
    out.write_str(&text[start..])?;
    Ok(())
}

/// Every `*.html` under `dir`, named by its path relative to `root` with `/` separators.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, std::fs::read_to_string(&path)?));
        }
    }
    Ok(())
}

impl Templates {
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Result<String, minijinja::Error> {
        self.env
            .get_template(name)?
            .render(minijinja::value::Serde(ctx))
    }

    /// Renders every error page once; also proves at start-up that the layout renders.
    pub fn prerender_errors(
        &mut self,
        strings: &[Value; 2],
        assets: &Assets,
    ) -> Result<(), WebError> {
        for (i, lang) in Lang::ALL.into_iter().enumerate() {
            for failure in Failure::ALL {
                let html = self
                    .render_error(lang, failure, strings[i].clone(), assets)
                    .map_err(|e| WebError::template("error.html", &e))?;
                self.errors.insert((lang, failure), Bytes::from(html));
            }
        }
        Ok(())
    }

    fn render_error(
        &self,
        lang: Lang,
        failure: Failure,
        t: Value,
        assets: &Assets,
    ) -> Result<String, minijinja::Error> {
        let title_key = format!("{}_title", failure.key());
        let text_key = format!("{}_text", failure.key());
        let title = crate::i18n::t(lang, &title_key);
        let layout = Layout::error(lang, t, assets, title);
        #[derive(Serialize)]
        struct Ctx<'a> {
            layout: Layout,
            status: u16,
            title: &'a str,
            text: &'a str,
        }
        self.render(
            "error.html",
            Ctx {
                layout,
                status: failure.status().as_u16(),
                title,
                text: crate::i18n::t(lang, &text_key),
            },
        )
    }

    pub fn error_page(&self, lang: Lang, failure: Failure) -> Bytes {
        self.errors
            .get(&(lang, failure))
            .cloned()
            .unwrap_or_default()
    }
}
