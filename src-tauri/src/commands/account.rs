//! First run, sign-in (with its two-factor step), sign-out, the idle lock, password
//! change, policy.

use gatehouse_api::{ApiError, AppState, Me, NewUserRequest, PendingChangeView, PolicySavedView, PolicyView, UserView};
use gatehouse_core::{Obligation, Policy, PolicyChangeId, SessionState, SignInOutcome};
use tauri::State;
use zeroize::Zeroizing;

use crate::desk::Desk;

/// Where the app stands: set-up needed, signed out, waiting for a two-factor code, a
/// password to choose, enrolment required, signed in, or locked. A token whose session has ended or expired
/// is forgotten here.
#[tauri::command]
pub async fn app_state(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.note_ui_ready();
    let gate = desk.gate().await?;
    if !gate.is_set_up().await? {
        return Ok(AppState::SetupRequired);
    }
    let Some(token) = desk.maybe_token().await? else {
        return Ok(match desk.challenge_email().await {
            Some(email) => AppState::SecondFactorRequired { email },
            None => AppState::SignedOut,
        });
    };
    match gate.session_state(desk.caller(&token)).await {
        Ok(SessionState::Active(actor)) => {
            let me = Me::from(&actor);
            Ok(match actor.obligation() {
                Some(Obligation::ChangePassword) => AppState::PasswordChangeRequired { me },
                Some(Obligation::EnrollTwoFactor) => AppState::EnrollmentRequired { me },
                None => AppState::SignedIn { me },
            })
        }
        Ok(SessionState::Locked(user)) => Ok(AppState::Locked { user: UserView::from(&user) }),
        Err(err) if err.needs_sign_in() => {
            desk.forget_token().await?;
            Ok(AppState::SignedOut)
        }
        Err(err) => Err(err.into()),
    }
}

#[tauri::command]
pub async fn create_first_admin(desk: State<'_, Desk>, request: NewUserRequest) -> Result<AppState, ApiError> {
    let new = request.into_new_user()?;
    let signed_in = desk.gate().await?.create_first_admin(new, &desk.origin().await?, desk.now()).await?;
    desk.keep_token(signed_in.token).await?;
    app_state(desk).await
}

/// The password step. With two-factor authentication on, the challenge stays here (never
/// in the web view) and the app asks for a code.
#[tauri::command]
pub async fn sign_in(desk: State<'_, Desk>, email: String, password: String) -> Result<AppState, ApiError> {
    let password = Zeroizing::new(password);
    match desk.gate().await?.sign_in(&email, &password, &desk.origin().await?, desk.now()).await? {
        SignInOutcome::SignedIn(signed_in) => desk.keep_token(signed_in.token).await?,
        SignInOutcome::SecondFactorRequired(challenge) => desk.keep_challenge(challenge.token, email).await,
    }
    app_state(desk).await
}

/// The code step: an authenticator code or a backup code.
#[tauri::command]
pub async fn complete_sign_in(desk: State<'_, Desk>, code: String) -> Result<AppState, ApiError> {
    let challenge = desk.challenge().await.ok_or_else(|| ApiError::from(gatehouse_core::Error::ChallengeExpired))?;
    match desk.gate().await?.complete_sign_in(&challenge, &code, &desk.origin().await?, desk.now()).await {
        Ok(signed_in) => {
            desk.forget_challenge().await;
            desk.keep_token(signed_in.token).await?;
            app_state(desk).await
        }
        Err(err) => {
            if err.code() == "auth.challenge_expired" {
                desk.forget_challenge().await;
            }
            Err(err.into())
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
    if let Some(token) = desk.maybe_token().await? {
        match desk.gate().await?.sign_out(desk.caller(&token)).await {
            Err(err) if !err.needs_sign_in() => return Err(err.into()),
            _ => desk.forget_token().await?,
        }
    }
    app_state(desk).await
}

#[tauri::command]
pub async fn lock(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    let token = desk.token().await?;
    desk.gate().await?.lock(desk.caller(&token)).await?;
    app_state(desk).await
}

#[tauri::command]
pub async fn unlock(desk: State<'_, Desk>, password: String) -> Result<AppState, ApiError> {
    let password = Zeroizing::new(password);
    let token = desk.token().await?;
    desk.gate().await?.unlock(desk.caller(&token), &password).await?;
    app_state(desk).await
}

#[tauri::command]
pub async fn change_password(desk: State<'_, Desk>, current: String, new: String) -> Result<(), ApiError> {
    let (current, new) = (Zeroizing::new(current), Zeroizing::new(new));
    let token = desk.token().await?;
    Ok(desk.gate().await?.change_password(desk.caller(&token), &current, &new).await?)
}

#[tauri::command]
pub async fn get_policy(desk: State<'_, Desk>) -> Result<PolicyView, ApiError> {
    let token = desk.token().await?;
    Ok(PolicyView::from(&desk.gate().await?.policy(desk.caller(&token)).await?))
}

/// Saves the policy: weakening changes wait (and are returned), the rest apply at once.
#[tauri::command]
pub async fn set_policy(desk: State<'_, Desk>, policy: PolicyView) -> Result<PolicySavedView, ApiError> {
    let token = desk.token().await?;
    let update = desk.gate().await?.set_policy(desk.caller(&token), &Policy::from(&policy)).await?;
    Ok(PolicySavedView::from(&update))
}

#[tauri::command]
pub async fn pending_policy_changes(desk: State<'_, Desk>) -> Result<Vec<PendingChangeView>, ApiError> {
    let token = desk.token().await?;
    let pending = desk.gate().await?.pending_policy_changes(desk.caller(&token)).await?;
    Ok(pending.iter().map(PendingChangeView::from).collect())
}

#[tauri::command]
pub async fn confirm_policy_change(desk: State<'_, Desk>, change_id: i64) -> Result<PolicyView, ApiError> {
    let token = desk.token().await?;
    let policy = desk.gate().await?.confirm_policy_change(desk.caller(&token), PolicyChangeId(change_id)).await?;
    Ok(PolicyView::from(&policy))
}

#[tauri::command]
pub async fn cancel_policy_change(desk: State<'_, Desk>, change_id: i64) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.cancel_policy_change(desk.caller(&token), PolicyChangeId(change_id)).await?)
}
