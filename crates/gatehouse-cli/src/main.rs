//! `gatehouse`: the command-line client over gatehouse-core, for admins and scripts.

mod app;
mod args;
mod commands;
mod output;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

use crate::app::App;
use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&format!("could not start: {err}"), None),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err.message, hint(&err.code)),
    }
}

async fn run(cli: Cli) -> Result<(), gatehouse_api::ApiError> {
    // Checking an address and making a key file need no database, keychain or sign-in.
    if let Command::Address(args::AddressCommand::Check { network, address, memo }) = &cli.command {
        return commands::address::check(network, address, memo.as_deref());
    }
    if let Command::Keygen { file } = &cli.command {
        return commands::admin::keygen(file);
    }
    // The server reads its data key from a file and never touches a keychain.
    if let Command::Serve(args) = &cli.command {
        return commands::serve::run(&cli, args).await;
    }
    let mut app = App::open(&cli).await?;
    match cli.command {
        Command::Init { email, name } => commands::account::init(&mut app, &email, &name).await,
        Command::Keygen { file } => commands::admin::keygen(&file),
        // Handled above, before any keychain is opened.
        Command::Serve(_) => Err(app::cli_error("internal", "serve must start before the database is opened")),
        Command::Import { from_data_dir, from_data_key_file } => {
            commands::admin::import(&app, from_data_dir, from_data_key_file.as_deref()).await
        }
        Command::Signin { email, print_token } => commands::account::sign_in(&mut app, &email, print_token).await,
        Command::Signout => commands::account::sign_out(&app).await,
        Command::Whoami { json } => commands::account::whoami(&app, json).await,
        Command::Password(command) => commands::account::password(&mut app, command).await,
        Command::User(command) => commands::users::run(&mut app, command).await,
        Command::Sessions(command) => commands::sessions::run(&app, command).await,
        Command::Notices(command) => commands::notices::run(&app, command).await,
        Command::Checkup { json, team } => commands::checkup::run(&app, json, team).await,
        Command::Devices(command) => commands::devices::run(&app, command).await,
        Command::Activity(command) => commands::activity::run(&app, command).await,
        Command::Policy(command) => commands::admin::policy(&app, command).await,
        Command::Geoip(command) => commands::admin::geoip(&mut app, command).await,
        Command::Audit(command) => commands::admin::audit(&app, command).await,
        Command::TwoFactor(command) => commands::two_factor::run(&mut app, command).await,
        Command::Address(command) => commands::address::run(&mut app, command).await,
        Command::Withdraw(command) => commands::withdraw::run(&mut app, command).await,
    }
}

/// A next step for errors that have one.
fn hint(code: &str) -> Option<&'static str> {
    match code {
        "session.signed_out" | "session.expired" | "cli.not_signed_in" => Some("Sign in with: gatehouse signin EMAIL"),
        "setup.required" => Some("Create the first administrator with: gatehouse init --email EMAIL"),
        "session.locked" => Some("Unlock it in the desktop app, or sign in again with: gatehouse signin EMAIL"),
        "2fa.enrollment_required" => Some("Set it up with: gatehouse 2fa enroll"),
        "password.change_required" => Some("Choose your own password with: gatehouse password change"),
        "session.ended_after_wrong_answers" => Some("Sign in again with: gatehouse signin EMAIL"),
        _ => None,
    }
}

fn fail(message: &str, hint: Option<&str>) -> ExitCode {
    eprintln!("gatehouse: {message}");
    if let Some(hint) = hint {
        eprintln!("{hint}");
    }
    ExitCode::FAILURE
}
