//! First run, sign-in, sign-out, the idle lock, password change, policy.

use gatehouse_api::{ApiError, AppState, Me, NewUserRequest, PolicyView, UserView};
use gatehouse_core::SessionState;
use tauri::State;
use zeroize::Zeroizing;

use crate::desk::Desk;

/// Where the app stands: set-up needed, signed out, signed in, or locked. A token whose
/// session has ended or expired is forgotten here.
#[tauri::command]
pub async fn app_state(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.note_ui_ready();
    let gate = desk.gate().await?;
    if !gate.is_set_up().await? {
        return Ok(AppState::SetupRequired);
    }
    let Some(token) = desk.maybe_token().await? else {
        return Ok(AppState::SignedOut);
    };
    match gate.session_state(desk.caller(&token)).await {
        Ok(SessionState::Active(actor)) => Ok(AppState::SignedIn { me: Me::from(&actor) }),
        Ok(SessionState::Locked(user)) => Ok(AppState::Locked {
            user: UserView::from(&user),
        }),
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
    let signed_in = desk
        .gate()
        .await?
        .create_first_admin(new, &desk.origin().await?, desk.now())
        .await?;
    desk.keep_token(signed_in.token).await?;
    app_state(desk).await
}

#[tauri::command]
pub async fn sign_in(desk: State<'_, Desk>, email: String, password: String) -> Result<AppState, ApiError> {
    let password = Zeroizing::new(password);
    let signed_in = desk
        .gate()
        .await?
        .sign_in(&email, &password, &desk.origin().await?, desk.now())
        .await?;
    desk.keep_token(signed_in.token).await?;
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
    Ok(desk
        .gate()
        .await?
        .change_password(desk.caller(&token), &current, &new)
        .await?)
}

#[tauri::command]
pub async fn get_policy(desk: State<'_, Desk>) -> Result<PolicyView, ApiError> {
    let token = desk.token().await?;
    Ok(PolicyView::from(&desk.gate().await?.policy(desk.caller(&token)).await?))
}
