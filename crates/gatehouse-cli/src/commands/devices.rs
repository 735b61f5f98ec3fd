//! `gatehouse devices …`.

use gatehouse_api::{ApiError, DeviceView};
use gatehouse_core::DeviceId;

use crate::app::{App, stepped_up};
use crate::args::DevicesCommand;
use crate::commands::{parse_id, user_id};
use crate::output;

pub async fn run(app: &App, command: DevicesCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        DevicesCommand::List { user, json } => {
            let user = user_id(app, &token, user.as_deref()).await?;
            let devices = app.gate.list_devices(app.caller(&token), user).await?;
            let devices: Vec<DeviceView> = devices.iter().map(DeviceView::from).collect();
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
            let id: DeviceId = parse_id("Device", &id)?;
            app.gate.rename_device(app.caller(&token), id, &name).await?;
            println!("Renamed device {id} to {:?}.", name.trim());
        }
        DevicesCommand::Remove { id } => {
            let id: DeviceId = parse_id("Device", &id)?;
            stepped_up!(app, &token, app.gate.remove_device(app.caller(&token), id))?;
            println!("Removed device {id}; its sessions were ended.");
        }
    }
    Ok(())
}
