//! `gatehouse user …` (admins).

use gatehouse_api::{ApiError, UserView};
use gatehouse_core::{NewUser, Role};

use crate::app::{App, stepped_up};
use crate::args::UserCommand;
use crate::output;

pub async fn run(app: &mut App, command: UserCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        UserCommand::Add { email, role, name } => {
            let role = Role::parse(&role)?;
            let password = app.secrets.read_new("Initial password")?;
            let new = NewUser { email, name, role, password };
            let user = stepped_up!(app, &token, app.gate.create_user(app.caller(&token), new.clone()))?;
            println!("Created {} ({}), user {}.", user.email, user.role.as_str(), user.id);
        }
        UserCommand::List { json } => {
            let users: Vec<UserView> =
                app.gate.list_users(app.caller(&token)).await?.iter().map(UserView::from).collect();
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
            let user = app.gate.find_user(app.caller(&token), &email).await?;
            stepped_up!(app, &token, app.gate.set_user_disabled(app.caller(&token), user.id, true))?;
            println!("Disabled {}; their sessions were ended.", user.email);
        }
        UserCommand::Enable { email } => {
            let user = app.gate.find_user(app.caller(&token), &email).await?;
            stepped_up!(app, &token, app.gate.set_user_disabled(app.caller(&token), user.id, false))?;
            println!("Enabled {}.", user.email);
        }
        UserCommand::ResetPassword { email } => {
            let user = app.gate.find_user(app.caller(&token), &email).await?;
            let password = app.secrets.read_new("New password")?;
            stepped_up!(app, &token, app.gate.reset_user_password(app.caller(&token), user.id, &password))?;
            println!(
                "Reset the password of {}; their sessions were ended. They will be asked to choose their own.",
                user.email
            );
        }
        UserCommand::Reset2fa { email } => {
            let user = app.gate.find_user(app.caller(&token), &email).await?;
            stepped_up!(app, &token, app.gate.reset_two_factor(app.caller(&token), user.id))?;
            println!(
                "Reset the two-factor authentication of {}; their sessions were ended. They set it up again at next sign-in.",
                user.email
            );
        }
        UserCommand::Unlock { email } => {
            let user = app.gate.find_user(app.caller(&token), &email).await?;
            stepped_up!(app, &token, app.gate.unlock_user(app.caller(&token), user.id))?;
            println!("Lifted the sign-in lockout of {}.", user.email);
        }
    }
    Ok(())
}
