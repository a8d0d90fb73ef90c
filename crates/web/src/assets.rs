//! The site's static files (CSS, fonts, and the scripts: `search.js` on every page, `viewer.js` on
//! type pages), embedded in the binary and served under names that carry a hash of their content
//! (`site.3f2a9c1b.css`), so browsers may keep them forever.

use std::collections::HashMap;

use bytes::Bytes;
use rust_embed::Embed;
use sha2::{Digest, Sha256};

#[derive(Embed)]
#[folder = "assets/"]
struct Embedded;

#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub body: Bytes,
    pub content_type: &'static str,
    pub etag: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Assets {
    /// By fingerprinted name.
    by_url_name: HashMap<String, Asset>,
    /// Plain name (`site.css`) → URL (`/assets/site.3f2a9c1b.css`).
    urls: HashMap<String, String>,
}

impl Assets {
    pub fn load() -> Self {
        let mut assets = Assets::default();
        let mut names: Vec<String> = Embedded::iter().map(|n| n.to_string()).collect();
        // Stylesheets last: they name the fonts by their fingerprinted URLs.
        names.sort_by_key(|n| (n.ends_with(".css"), n.clone()));
        for name in names {
            let Some(file) = Embedded::get(&name) else {
                continue;
            };
            let body = if name.ends_with(".css") {
                let mut css = String::from_utf8_lossy(&file.data).into_owned();
                for (plain, url) in &assets.urls {
                    css = css.replace(&format!("/assets/{plain})"), &format!("{url})"));
                }
                Bytes::from(css)
            } else {
                match file.data {
                    std::borrow::Cow::Borrowed(b) => Bytes::from_static(b),
                    std::borrow::Cow::Owned(v) => Bytes::from(v),
                }
            };
            let digest = Sha256::digest(&body);
            let hex =
                |n: usize| -> String { digest[..n].iter().map(|b| format!("{b:02x}")).collect() };
            let url_name = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{}.{ext}", hex(4)),
                None => format!("{name}.{}", hex(4)),
            };
            assets
                .urls
                .insert(name.clone(), format!("/assets/{url_name}"));
            assets.by_url_name.insert(
                url_name,
                Asset {
                    body,
                    content_type: content_type(&name),
                    etag: format!("\"{}\"", hex(12)),
                },
            );
        }
        assets
    }

    /// The URL of an asset by its plain name; `None` when there is no such asset.
    pub fn url(&self, name: &str) -> Option<&str> {
        self.urls.get(name).map(String::as_str)
    }

    pub fn get(&self, url_name: &str) -> Option<&Asset> {
        self.by_url_name.get(url_name)
    }
}

/// The media type of a file by its extension.
pub(crate) fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
