//! First run, sign-in, sign-out, who am I, password change.

use gatehouse_api::{ApiError, Me, UserView};
use gatehouse_core::{NewUser, Role, SignInOutcome};

use crate::app::{App, stepped_up};
use crate::args::PasswordCommand;
use crate::output;

pub async fn init(app: &mut App, email: &str, name: &str) -> Result<(), ApiError> {
    let password = app.secrets.read_new("Password for the new administrator")?;
    let origin = app.origin()?;
    let new = NewUser { email: email.to_owned(), name: name.to_owned(), role: Role::Admin, password };
    let signed_in = app.gate.create_first_admin(new, &origin, app.now()).await?;
    app.save_token(&signed_in.token)?;
    println!("Created the administrator {} and signed in.", signed_in.user.email);
    println!("Database: {}", app.database);
    Ok(())
}

pub async fn sign_in(app: &mut App, email: &str, print_token: bool) -> Result<(), ApiError> {
    let password = app.secrets.read("Password")?;
    let origin = app.origin()?;
    let signed_in = match app.gate.sign_in(email, &password, &origin, app.now()).await? {
        SignInOutcome::SignedIn(signed_in) => signed_in,
        SignInOutcome::SecondFactorRequired(challenge) => {
            let code = app.secrets.read("Authentication code (or a backup code)")?;
            app.gate.complete_sign_in(&challenge.token, &code, &origin, app.now()).await?
        }
    };
    app.save_token(&signed_in.token)?;
    eprintln!("Signed in as {} (session {}).", signed_in.user.email, signed_in.session_id);
    if signed_in.user.must_change_password {
        eprintln!(
            "An administrator set your password: choose your own with `gatehouse password change` (nothing else works until you do)."
        );
    }
    if print_token {
        println!("{}", signed_in.token.expose());
    }
    Ok(())
}

/// Ends the session in use: `GATEHOUSE_TOKEN`'s when set (the keychain's session stays signed
/// in), else the keychain's (which is then forgotten).
pub async fn sign_out(app: &App) -> Result<(), ApiError> {
    let token = app.token()?;
    let result = app.gate.sign_out(app.caller(&token)).await;
    // Forget the keychain's token even if its session had already ended elsewhere.
    if !app.token_from_environment() {
        app.forget_token()?;
    }
    match result {
        Ok(()) => {
            println!("Signed out.");
            Ok(())
        }
        Err(err) if err.needs_sign_in() => {
            println!("That session had already ended.");
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn whoami(app: &App, json: bool) -> Result<(), ApiError> {
    let token = app.token()?;
    let actor = app.gate.authenticate(app.caller(&token)).await?;
    let me = Me::from(&actor);
    if json {
        return output::json(&me);
    }
    let user: &UserView = &me.user;
    println!("{} <{}>, {:?}, session {}", user.name, user.email, user.role, me.session_id);
    Ok(())
}

pub async fn password(app: &mut App, command: PasswordCommand) -> Result<(), ApiError> {
    match command {
        PasswordCommand::Change => {
            let token = app.token()?;
            let current = app.secrets.read("Current password")?;
            let new = app.secrets.read_new("New password")?;
            stepped_up!(app, &token, app.gate.change_password(app.caller(&token), &current, &new))?;
            println!("Password changed. Your other sessions were signed out.");
            Ok(())
        }
    }
}
