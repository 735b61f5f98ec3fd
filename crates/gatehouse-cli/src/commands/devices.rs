//! `gatehouse devices …`.

use gatehouse_api::operations::{ListDevices, RemoveDevice, RenameDevice};
use gatehouse_api::{ApiError, DeviceView};

use crate::app::{App, stepped_up};
use crate::args::DevicesCommand;
use crate::commands::{parse_id, user_id};
use crate::output;

pub async fn run(app: &App, command: DevicesCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        DevicesCommand::List { user, json } => {
            let user = user_id(app, &token, user.as_deref()).await?;
            let devices: Vec<DeviceView> = app.call(&token, ListDevices { user_id: user }).await?;
            if json {
                return output::json(&devices);
            }
            let rows = devices
                .iter()
                .map(|d| {
                    vec![
                        d.id.to_string(),
                        d.name.clone(),
                        format!("{:?}", d.kind).to_lowercase(),
                        format!("{} {}", d.os, d.os_version),
                        output::local_time(d.first_seen_at),
                        output::local_time(d.last_used_at),
                        d.active_sessions.to_string(),
                        output::mark(d.is_current, "this device"),
                    ]
                })
                .collect();
            let header = ["ID", "NAME", "TYPE", "OS", "FIRST SEEN", "LAST USED", "SESSIONS", ""];
            output::table(&header, rows, "No devices.");
        }
        DevicesCommand::Rename { id, name } => {
            let id: i64 = parse_id("Device", &id)?;
            app.call(&token, RenameDevice { device_id: id, name: name.clone() }).await?;
            println!("Renamed device {id} to {:?}.", name.trim());
        }
        DevicesCommand::Remove { id } => {
            let id: i64 = parse_id("Device", &id)?;
            stepped_up!(app, &token, app.call(&token, RemoveDevice { device_id: id }))?;
            println!("Removed device {id}; its sessions were ended.");
        }
    }
    Ok(())
}
