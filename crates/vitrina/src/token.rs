//! `vitrina token create|list|revoke`: API tokens from the command line, through the same
//! account operations as the `/admin/tokens` page. A new token's secret is printed once, alone
//! on its line on stdout, so `$(vitrina token create …)` captures it; it is stored only hashed.

use anyhow::{Context, bail};
use vitrina_operations::{AccountError, Accounts};

use crate::cli::TokenCommand;
use crate::config::Settings;
use crate::serve::{existing_data, open};

pub async fn run(settings: Settings, command: TokenCommand) -> anyhow::Result<()> {
    // Tokens belong to users, so a collection with users must exist already.
    let data = existing_data(&settings)?;
    eprintln!("Tokens of {data}");
    let store = open(&settings).await?;
    let accounts = Accounts::new(store.clone());
    let result = match command {
        TokenCommand::Create { label, user, scope } => {
            create(&accounts, &label, &user, scope.as_str()).await
        }
        TokenCommand::List { user } => list(&accounts, user.as_deref()).await,
        TokenCommand::Revoke { id } => revoke(&accounts, id).await,
    };
    store.close().await;
    result
}

async fn user(accounts: &Accounts, name: &str) -> anyhow::Result<vitrina_catalogue::User> {
    match accounts.user_by_name(name).await {
        Ok(u) => Ok(u),
        Err(AccountError::NotFound(_)) => bail!("there is no user named {name:?}"),
        Err(e) => Err(e).context("cannot read the users"),
    }
}

async fn create(accounts: &Accounts, label: &str, name: &str, scope: &str) -> anyhow::Result<()> {
    let user = user(accounts, name).await?;
    match accounts.create_token(&user, label, scope).await {
        Ok(created) => {
            eprintln!(
                "Created token {} ({}) for {}; it is shown only this once:",
                created.token.id.unwrap_or_default(),
                created.token.scope.as_str(),
                user.name
            );
            println!("{}", created.secret);
            Ok(())
        }
        Err(AccountError::Invalid(errors)) => {
            let why: Vec<String> = errors
                .0
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            bail!("the token is not accepted: {}", why.join("; "))
        }
        Err(e) => Err(e).context("cannot create the token"),
    }
}

async fn list(accounts: &Accounts, name: Option<&str>) -> anyhow::Result<()> {
    let tokens = match name {
        Some(name) => {
            let user = user(accounts, name).await?;
            let id = user.id.context("a stored user without an id")?;
            accounts
                .tokens(id)
                .await
                .context("cannot read the tokens")?
                .into_iter()
                .map(|t| (user.clone(), t))
                .collect()
        }
        None => accounts
            .all_tokens()
            .await
            .context("cannot read the tokens")?,
    };
    if tokens.is_empty() {
        println!("No tokens.");
    }
    for (user, t) in tokens {
        let used = t
            .last_used_at
            .map(|at| format!("used {}", at.date()))
            .unwrap_or_else(|| "never used".to_owned());
        println!(
            "{}\t{}\t{}\t{}…\t{}\tcreated {}\t{used}",
            t.id.unwrap_or_default(),
            user.name,
            t.scope.as_str(),
            t.prefix,
            t.label,
            t.created_at.date()
        );
    }
    Ok(())
}

async fn revoke(accounts: &Accounts, id: i64) -> anyhow::Result<()> {
    match accounts.revoke_token(None, id).await {
        Ok(()) => {
            println!("Revoked token {id}");
            Ok(())
        }
        Err(AccountError::NotFound(_)) => bail!("there is no token {id}"),
        Err(e) => Err(e).context("cannot revoke the token"),
    }
}
