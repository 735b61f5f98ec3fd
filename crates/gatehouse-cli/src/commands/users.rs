//! `gatehouse user …` (admins).

use gatehouse_api::operations::{
    CreateUser, FindUser, ListUsers, ResetTwoFactor, ResetUserPassword, SetUserDisabled, UnlockUser,
};
use gatehouse_api::{ApiError, NewUserRequest, Secret, UserView};

use crate::app::{App, stepped_up};
use crate::args::UserCommand;
use crate::output;

pub async fn run(app: &mut App, command: UserCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        UserCommand::Add { email, role, name } => {
            gatehouse_core::Role::parse(&role)?;
            let password = app.secrets.read_new("Initial password")?;
            let request = NewUserRequest { email, name, role: role.clone(), password: password.to_string() };
            let user = stepped_up!(app, &token, app.call(&token, CreateUser { request: request.clone() }))?;
            println!("Created {} ({role}), user {}.", user.email, user.id);
        }
        UserCommand::List { json } => {
            let users: Vec<UserView> = app.call(&token, ListUsers {}).await?;
            if json {
                return output::json(&users);
            }
            let rows = users
                .iter()
                .map(|u| {
                    let status = match (u.disabled_at, u.hard_locked, u.locked_until) {
                        (Some(_), _, _) => "disabled".to_owned(),
                        (None, true, _) => "locked until unlocked".to_owned(),
                        (None, false, Some(until)) => format!("locked until {}", output::local_time(until)),
                        (None, false, None) => "active".to_owned(),
                    };
                    vec![
                        u.id.to_string(),
                        u.email.clone(),
                        u.name.clone(),
                        format!("{:?}", u.role).to_lowercase(),
                        status,
                    ]
                })
                .collect();
            output::table(&["ID", "EMAIL", "NAME", "ROLE", "STATUS"], rows, "No users.");
        }
        UserCommand::Disable { email } => {
            let user = app.call(&token, FindUser { email }).await?;
            stepped_up!(app, &token, app.call(&token, SetUserDisabled { user_id: user.id, disabled: true }))?;
            println!("Disabled {}; their sessions were ended.", user.email);
        }
        UserCommand::Enable { email } => {
            let user = app.call(&token, FindUser { email }).await?;
            stepped_up!(app, &token, app.call(&token, SetUserDisabled { user_id: user.id, disabled: false }))?;
            println!("Enabled {}.", user.email);
        }
        UserCommand::ResetPassword { email } => {
            let user = app.call(&token, FindUser { email }).await?;
            let password = Secret::new(app.secrets.read_new("New password")?.as_str());
            let reset = ResetUserPassword { user_id: user.id, password };
            stepped_up!(app, &token, app.call(&token, reset.clone()))?;
            println!(
                "Reset the password of {}; their sessions were ended. They will be asked to choose their own.",
                user.email
            );
        }
        UserCommand::Reset2fa { email } => {
            let user = app.call(&token, FindUser { email }).await?;
            stepped_up!(app, &token, app.call(&token, ResetTwoFactor { user_id: user.id }))?;
            println!(
                "Reset the two-factor authentication of {}; their sessions were ended. They set it up again at next sign-in.",
                user.email
            );
        }
        UserCommand::Unlock { email } => {
            let user = app.call(&token, FindUser { email }).await?;
            stepped_up!(app, &token, app.call(&token, UnlockUser { user_id: user.id }))?;
            println!("Lifted the sign-in lockout of {}.", user.email);
        }
    }
    Ok(())
}
