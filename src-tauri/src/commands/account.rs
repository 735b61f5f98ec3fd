//! Where the app stands, and the commands that change it: first run, the two sign-in
//! steps (the token and the challenge stay here, never in the web view), sign-out, the idle
//! lock.

use gatehouse_api::operations as ops;
use gatehouse_api::{ApiError, AppState, ConnectionView, NewUserRequest, Secret, SessionStateView, SignInResult};
use gatehouse_core::SessionToken;
use tauri::State;

use crate::desk::Desk;

/// Where the app stands: set-up needed, signed out, waiting for a two-factor code, a
/// password to choose, enrolment required, signed in, or locked. A token whose session
/// has ended or expired is forgotten here.
#[tauri::command]
pub async fn app_state(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.note_ui_ready();
    if desk.choice().await? == ConnectionView::Unchosen {
        return Ok(AppState::ChooseConnection);
    }
    if !desk.call(ops::ServerInfo {}).await?.set_up {
        return Ok(AppState::SetupRequired);
    }
    if !desk.has_token().await? {
        return Ok(match desk.challenge_email().await {
            Some(email) => AppState::SecondFactorRequired { email },
            None => AppState::SignedOut,
        });
    }
    match desk.call(ops::GetSessionState {}).await {
        Ok(SessionStateView::Active { me, obligation }) => Ok(match obligation.as_deref() {
            Some("change_password") => AppState::PasswordChangeRequired { me },
            Some(_) => AppState::EnrollmentRequired { me },
            None => AppState::SignedIn { me },
        }),
        Ok(SessionStateView::Locked { user }) => Ok(AppState::Locked { user }),
        Err(err) if err.needs_sign_in() => {
            desk.forget_token().await?;
            Ok(AppState::SignedOut)
        }
        Err(err) => Err(err),
    }
}

/// First run on this computer: the first administrator, signed in (a team server's first
/// administrator is made on the server host, by `gatehouse init`).
#[tauri::command]
pub async fn create_first_admin(desk: State<'_, Desk>, request: NewUserRequest) -> Result<AppState, ApiError> {
    desk.create_first_admin(request.into_new_user()?).await?;
    app_state(desk).await
}

/// The password step. With two-factor authentication on, the challenge stays here and the
/// app asks for a code.
#[tauri::command]
pub async fn sign_in(desk: State<'_, Desk>, email: String, password: String) -> Result<AppState, ApiError> {
    let (device, client) = desk.identity().await?;
    let request = ops::SignIn { email: email.clone(), password: Secret::from(password), device, client };
    match desk.call(request).await? {
        SignInResult::SignedIn { session_token } => desk.keep_token(parse_token(&session_token)?).await?,
        SignInResult::SecondFactorRequired { challenge, .. } => desk.keep_challenge(challenge, email).await,
    }
    app_state(desk).await
}

/// The code step: an authenticator code or a backup code.
#[tauri::command]
pub async fn complete_sign_in(desk: State<'_, Desk>, code: String) -> Result<AppState, ApiError> {
    let challenge = desk.challenge().await.ok_or_else(|| ApiError::from(gatehouse_core::Error::ChallengeExpired))?;
    let (device, client) = desk.identity().await?;
    let request = ops::CompleteSignIn { challenge, code: Secret::from(code), device, client };
    match desk.call(request).await {
        Ok(SignInResult::SignedIn { session_token }) => {
            desk.forget_challenge().await;
            desk.keep_token(parse_token(&session_token)?).await?;
            app_state(desk).await
        }
        Ok(SignInResult::SecondFactorRequired { .. }) => {
            Err(ApiError::new("internal", "A second challenge came back."))
        }
        Err(err) => {
            if err.code == "auth.challenge_expired" {
                desk.forget_challenge().await;
            }
            Err(err)
        }
    }
}

/// Abandons the code step and goes back to the password.
#[tauri::command]
pub async fn cancel_sign_in(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.forget_challenge().await;
    app_state(desk).await
}

#[tauri::command]
pub async fn sign_out(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.sign_out().await?;
    app_state(desk).await
}

#[tauri::command]
pub async fn lock(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.require_token().await?;
    desk.call(ops::Lock {}).await?;
    app_state(desk).await
}

#[tauri::command]
pub async fn unlock(desk: State<'_, Desk>, password: String) -> Result<AppState, ApiError> {
    desk.require_token().await?;
    desk.call(ops::Unlock { password: Secret::from(password) }).await?;
    app_state(desk).await
}

fn parse_token(token: &Secret) -> Result<SessionToken, ApiError> {
    SessionToken::parse(token.expose())
        .map_err(|_| ApiError::new("client.bad_token", "The server sent an unusable session token."))
}
