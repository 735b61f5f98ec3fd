//! `gatehouse activity …`.

use gatehouse_api::{ApiError, AttemptView};
use gatehouse_core::{ActivityFilter, ActivityScope, SessionToken};

use crate::app::App;
use crate::args::{ActivityCommand, ActivityFilterArgs};
use crate::commands::user_id;
use crate::output;

pub async fn run(app: &App, command: ActivityCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        ActivityCommand::List { filter, limit, json } => {
            let mut filter = to_filter(app, &token, &filter).await?;
            filter.limit = Some(limit);
            let attempts = app.gate.list_activity(app.caller(&token), &filter).await?;
            let attempts: Vec<AttemptView> = attempts.iter().map(AttemptView::from).collect();
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
            let filter = to_filter(app, &token, &filter).await?;
            let rows = app.gate.export_activity_csv(app.caller(&token), &filter, || output::create_file(&file)).await?;
            println!("Wrote {rows} sign-in attempt(s) to {}.", file.display());
        }
    }
    Ok(())
}

async fn to_filter(app: &App, token: &SessionToken, args: &ActivityFilterArgs) -> Result<ActivityFilter, ApiError> {
    let scope = match (args.all, user_id(app, token, args.user.as_deref()).await?) {
        (true, _) => ActivityScope::Everyone,
        (false, Some(user)) => ActivityScope::User(user),
        (false, None) => ActivityScope::Own,
    };
    Ok(ActivityFilter {
        scope,
        failures_only: args.failures,
        flagged_only: args.flagged,
        since: args.since.as_deref().map(|text| output::parse_time("--since", text)).transpose()?,
        until: args.until.as_deref().map(|text| output::parse_time("--until", text)).transpose()?,
        ..Default::default()
    })
}
