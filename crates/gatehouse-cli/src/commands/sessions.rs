//! `gatehouse sessions …`.

use gatehouse_api::operations::{EndOtherSessions, EndSession, ListSessions};
use gatehouse_api::{ApiError, SessionView};

use crate::app::{App, stepped_up};
use crate::args::SessionsCommand;
use crate::commands::{parse_id, user_id};
use crate::output;

pub async fn run(app: &App, command: SessionsCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        SessionsCommand::List { user, json } => {
            let user = user_id(app, &token, user.as_deref()).await?;
            let sessions: Vec<SessionView> = app.call(&token, ListSessions { user_id: user }).await?;
            if json {
                return output::json(&sessions);
            }
            let rows = sessions
                .iter()
                .map(|s| {
                    vec![
                        s.id.to_string(),
                        format!("{} ({:?})", s.device_name, s.device_kind).to_string(),
                        format!("{} {}", s.client_name, s.client_version),
                        s.ip.clone().unwrap_or_default(),
                        s.location.clone(),
                        output::local_time(s.created_at),
                        output::local_time(s.last_active_at),
                        output::mark(s.is_current, "this session"),
                    ]
                })
                .collect();
            let header = ["ID", "DEVICE", "CLIENT", "IP ADDRESS", "LOCATION", "SIGNED IN", "LAST ACTIVE", ""];
            output::table(&header, rows, "No open sessions.");
        }
        SessionsCommand::End { id } => {
            let id: i64 = parse_id("Session", &id)?;
            stepped_up!(app, &token, app.call(&token, EndSession { session_id: id }))?;
            println!("Ended session {id}.");
        }
        SessionsCommand::EndOthers => {
            let ended = stepped_up!(app, &token, app.call(&token, EndOtherSessions {}))?;
            println!("Ended {ended} other session(s).");
        }
    }
    Ok(())
}
