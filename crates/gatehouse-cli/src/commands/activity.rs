//! `gatehouse activity …`.

use gatehouse_api::operations::{ExportActivity, ListActivity};
use gatehouse_api::{ActivityQuery, ApiError, AttemptView};
use gatehouse_core::SessionToken;

use crate::app::App;
use crate::args::{ActivityCommand, ActivityFilterArgs};
use crate::commands::{user_id, write_export};
use crate::output;

pub async fn run(app: &App, command: ActivityCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        ActivityCommand::List { filter, limit, json } => {
            let mut query = to_query(app, &token, &filter).await?;
            query.limit = Some(limit);
            let attempts: Vec<AttemptView> = app.call(&token, ListActivity { query }).await?;
            if json {
                return output::json(&attempts);
            }
            let rows = attempts
                .iter()
                .map(|a| {
                    vec![
                        output::local_time(a.at),
                        a.email.clone(),
                        format!("{:?}", a.outcome).to_lowercase(),
                        a.reason_text.clone(),
                        a.ip.clone().unwrap_or_default(),
                        a.location.clone(),
                        format!("{} ({})", a.device_name, a.client),
                        a.risk_flags.iter().map(|flag| flag.label.as_str()).collect::<Vec<_>>().join(", "),
                    ]
                })
                .collect();
            let header = ["TIME", "EMAIL", "OUTCOME", "REASON", "IP ADDRESS", "LOCATION", "DEVICE / CLIENT", "RISK"];
            output::table(&header, rows, "No sign-in attempts match.");
        }
        ActivityCommand::Export { file, filter } => {
            let query = to_query(app, &token, &filter).await?;
            let export = app.call(&token, ExportActivity { query }).await?;
            write_export(&file, &export)?;
            println!("Wrote {} sign-in attempt(s) to {}.", export.rows, file.display());
        }
    }
    Ok(())
}

async fn to_query(app: &App, token: &SessionToken, args: &ActivityFilterArgs) -> Result<ActivityQuery, ApiError> {
    Ok(ActivityQuery {
        user_id: user_id(app, token, args.user.as_deref()).await?,
        everyone: args.all,
        failures_only: args.failures,
        flagged_only: args.flagged,
        since: args
            .since
            .as_deref()
            .map(|text| output::parse_time("--since", text))
            .transpose()?
            .map(|t| t.as_millis()),
        until: args
            .until
            .as_deref()
            .map(|text| output::parse_time("--until", text))
            .transpose()?
            .map(|t| t.as_millis()),
        ..Default::default()
    })
}
