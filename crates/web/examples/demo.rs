//! Serves the demo collection from a fresh SQLite file, with a search index beside it, for
//! looking at the site by hand:
//! `cargo run -p vitrina-web --example demo -- 127.0.0.1:8080 [DB-PATH]`.

use std::path::PathBuf;
use std::sync::Arc;

use vitrina_operations::{Catalogue, open_store};
use vitrina_web::{App, WebSettings};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let dir = tempfile::tempdir()?;
    let db = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("demo.db"));
    let search_dir = db.with_extension("search");
    let index = vitrina_search::SearchIndex::open(&search_dir)?;
    let catalogue = Catalogue::new(open_store(&format!("sqlite://{}", db.display())).await?)
        .with_search(Arc::new(index));
    catalogue.load_demo_if_empty().await?;
    if let Some(reason) = catalogue.ensure_search_index().await? {
        eprintln!("search index rebuilt: {reason}");
    }
    let app = App::new(
        catalogue,
        WebSettings {
            templates_dir: std::env::var_os("VITRINA_TEMPLATES").map(PathBuf::from),
            ..WebSettings::new(dir.path().join("media"))
        },
    )?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("serving on http://{}", listener.local_addr()?);
    vitrina_web::serve(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
