//! `vitrina user add|list|passwd`: curator accounts from the command line — how the first owner
//! is made on a server where nobody opens the set-up link, and how a locked-out owner gets back
//! in. Passwords are asked for twice on a terminal, or read from the first line of stdin
//! (`--password-stdin`, or whenever stdin is not a terminal), and never taken as an argument,
//! where they would land in the shell's history and the process list.

use std::io::{BufRead, IsTerminal, Read};

use anyhow::{Context, bail};
use vitrina_catalogue::{Role, check_user_name};
use vitrina_operations::{AccountError, Accounts, secret};

use crate::cli::UserCommand;
use crate::config::Settings;
use crate::serve::{existing_data, open, prepare_data_dir};

pub async fn run(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    // Only adding a user may start a new collection; the rest work on one that exists.
    if let UserCommand::Add { .. } = command {
        prepare_data_dir(&settings)?;
    } else {
        let data = existing_data(&settings)?;
        eprintln!("Users of {data}");
    }
    let store = open(&settings).await?;
    let accounts = Accounts::new(store.clone());
    let result = match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => add(&accounts, &name, role, password_stdin).await,
        UserCommand::List => list(&accounts).await,
        UserCommand::Passwd {
            name,
            password_stdin,
        } => passwd(&accounts, &name, password_stdin).await,
    };
    store.close().await;
    result
}

async fn add(
    accounts: &Accounts,
    name: &str,
    role: Role,
    password_stdin: bool,
) -> anyhow::Result<()> {
    if let Err(problem) = check_user_name(name) {
        bail!("the user name {name:?} is not allowed: {problem}");
    }
    match accounts.user_by_name(name).await {
        Ok(_) => bail!("a user named {name:?} already exists"),
        Err(AccountError::NotFound(_)) => {}
        Err(e) => return Err(e).context("cannot read the users"),
    }
    let password = read_password(password_stdin, &format!("Password for {name}: "))?;
    let user = match accounts.add_user(name, role.as_str(), &password).await {
        Ok(u) => u,
        Err(e @ (AccountError::Conflict(_) | AccountError::Invalid(_))) => bail!("{e}"),
        Err(e) => return Err(e).context("cannot add the user"),
    };
    println!("Added {} ({})", user.name, user.role);
    Ok(())
}

async fn list(accounts: &Accounts) -> anyhow::Result<()> {
    let users = accounts.users().await.context("cannot read the users")?;
    if users.is_empty() {
        println!("No users yet. Add the first owner with: vitrina user add NAME --role owner");
    }
    for u in users {
        let status = if u.disabled { "  (disabled)" } else { "" };
        println!("{}\t{}\t{}{status}", u.name, u.role, u.created_at.date());
    }
    Ok(())
}

/// Sets the password through the same operation as the owner's reset in /admin/users: the
/// hash, the end of every session and of the account's sign-in throttling, together.
async fn passwd(accounts: &Accounts, name: &str, password_stdin: bool) -> anyhow::Result<()> {
    let user = match accounts.user_by_name(name).await {
        Ok(u) => u,
        Err(AccountError::NotFound(_)) => bail!("there is no user named {name:?}"),
        Err(e) => return Err(e).context("cannot read the users"),
    };
    let id = user.id.context("a stored user without an id")?;
    let password = read_password(password_stdin, &format!("New password for {name}: "))?;
    let (_, n) = accounts
        .set_password(id, &password)
        .await
        .context("cannot set the password")?;
    println!("Set the password of {name} and ended {n} session(s)");
    Ok(())
}

/// A new password from stdin's first line, or asked for twice on the terminal; checked.
fn read_password(from_stdin: bool, prompt: &str) -> anyhow::Result<String> {
    let password = if from_stdin || !std::io::stdin().is_terminal() {
        // At most a little more than any accepted password: a file piped in by mistake is
        // refused by the length check below instead of being read whole.
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(secret::MAX_PASSWORD as u64 + 2)
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        let first = rpassword::prompt_password(prompt).context("cannot read the password")?;
        let again =
            rpassword::prompt_password("The same again: ").context("cannot read the password")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    };
    if let Err(problem) = secret::check_new_password(&password) {
        bail!("the password is not accepted: {problem}");
    }
    Ok(password)
}
