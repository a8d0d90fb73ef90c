//! `vitrina demo load`: the demo collection, on purpose.

use anyhow::Context;

use crate::config::Settings;
use crate::serve::{catalogue, prepare_data_dir};

pub async fn load(settings: Settings) -> anyhow::Result<()> {
    prepare_data_dir(&settings)?;
    let (catalogue, store) = catalogue(&settings).await?;
    catalogue
        .load_demo()
        .await
        .context("cannot load the demo collection")?;
    store.close().await;
    println!(
        "Loaded the demo collection into {}",
        vitrina_operations::redact_url(&settings.database_url)
    );
    Ok(())
}
