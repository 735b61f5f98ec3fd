//! First run, sign-in, sign-out, who am I, password change.

use gatehouse_api::operations::{ChangePassword, CompleteSignIn, GetSessionState, SignIn, SignOut};
use gatehouse_api::{ApiError, Me, Secret, SessionStateView, SignInResult};
use gatehouse_core::{NewUser, Role, SessionToken};

use crate::app::{App, cli_error, stepped_up};
use crate::args::PasswordCommand;
use crate::output;

/// `init`: the first administrator, on the database itself.
pub async fn init(app: &mut App, email: &str, name: &str) -> Result<(), ApiError> {
    let gate = app.local("init")?;
    let password = app.secrets.read_new("Password for the new administrator")?;
    let origin = app.origin()?;
    let new = NewUser { email: email.to_owned(), name: name.to_owned(), role: Role::Admin, password };
    let signed_in = gate.create_first_admin(new, &origin, app.now()).await?;
    app.save_token(&signed_in.token)?;
    println!("Created the administrator {} and signed in.", signed_in.user.email);
    println!("Database: {}", app.location);
    Ok(())
}

pub async fn sign_in(app: &mut App, email: &str, print_token: bool) -> Result<(), ApiError> {
    let password = Secret::new(app.secrets.read("Password")?.as_str());
    let (device, client) = app.identity()?;
    let request = SignIn { email: email.to_owned(), password, device: device.clone(), client: client.clone() };
    let session_token = match app.call_signed_out(request).await? {
        SignInResult::SignedIn { session_token } => session_token,
        SignInResult::SecondFactorRequired { challenge, .. } => {
            let code = Secret::new(app.secrets.read("Authentication code (or a backup code)")?.as_str());
            match app.call_signed_out(CompleteSignIn { challenge, code, device, client }).await? {
                SignInResult::SignedIn { session_token } => session_token,
                SignInResult::SecondFactorRequired { .. } => {
                    return Err(cli_error("internal", "A second challenge came back."));
                }
            }
        }
    };
    let token = SessionToken::parse(session_token.expose())?;
    app.save_token(&token)?;
    let me = match app.call(&token, GetSessionState {}).await? {
        SessionStateView::Active { me, obligation } => (me, obligation),
        SessionStateView::Locked { .. } => return Err(ApiError::from(gatehouse_core::Error::Locked)),
    };
    eprintln!("Signed in as {} (session {}).", me.0.user.email, me.0.session_id);
    if me.1.as_deref() == Some("change_password") {
        eprintln!(
            "An administrator set your password: choose your own with `gatehouse password change` (nothing else works until you do)."
        );
    }
    if print_token {
        println!("{}", token.expose());
    }
    Ok(())
}

/// Ends the session in use: `GATEHOUSE_TOKEN`'s when set (the keychain's session stays signed
/// in), else the keychain's (which is then forgotten).
pub async fn sign_out(app: &App) -> Result<(), ApiError> {
    let token = app.token()?;
    let result = app.call(&token, SignOut {}).await;
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
        Err(err) => Err(err),
    }
}

pub async fn whoami(app: &App, json: bool) -> Result<(), ApiError> {
    let token = app.token()?;
    // Like every other command, it waits until what must be done first is done.
    let me: Me = match app.call(&token, GetSessionState {}).await? {
        SessionStateView::Active { obligation: Some(obligation), .. } => return Err(obligation_error(&obligation)),
        SessionStateView::Active { me, obligation: None } => me,
        SessionStateView::Locked { .. } => return Err(ApiError::from(gatehouse_core::Error::Locked)),
    };
    if json {
        return output::json(&me);
    }
    let user = &me.user;
    println!("{} <{}>, {:?}, session {}", user.name, user.email, user.role, me.session_id);
    Ok(())
}

/// The refusal for an obligation the session state named.
fn obligation_error(obligation: &str) -> ApiError {
    ApiError::from(match obligation {
        "change_password" => gatehouse_core::Error::PasswordChangeRequired,
        _ => gatehouse_core::Error::EnrollmentRequired,
    })
}

pub async fn password(app: &mut App, command: PasswordCommand) -> Result<(), ApiError> {
    match command {
        PasswordCommand::Change => {
            let token = app.token()?;
            let current = Secret::new(app.secrets.read("Current password")?.as_str());
            let new = Secret::new(app.secrets.read_new("New password")?.as_str());
            let change = ChangePassword { current, new };
            stepped_up!(app, &token, app.call(&token, change.clone()))?;
            println!("Password changed. Your other sessions were signed out.");
            Ok(())
        }
    }
}
