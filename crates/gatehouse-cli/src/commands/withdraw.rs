//! `gatehouse withdraw …`: create, list, approve, reject, export.

use gatehouse_api::operations::{CreateWithdrawal, DecideWithdrawal, ExportWithdrawals, ListWithdrawals};
use gatehouse_api::{ApiError, NewWithdrawalRequest, WithdrawalView};

use crate::app::{App, stepped_up};
use crate::args::WithdrawCommand;
use crate::commands::{parse_id, write_export};
use crate::output;

pub async fn run(app: &mut App, command: WithdrawCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        WithdrawCommand::Create { address_id, asset, amount, note } => {
            let address_id: i64 = parse_id("Address", &address_id)?;
            let request = NewWithdrawalRequest { address_id, asset, amount, note };
            let view = stepped_up!(app, &token, app.call(&token, CreateWithdrawal { request: request.clone() }))?;
            println!("Withdrawal {} ({}): {} {} to {:?}", view.id, view.status, view.amount, view.asset, view.label);
            println!("Address: {}", view.address);
            if let Some(memo) = &view.memo {
                println!("Memo/tag: {memo}");
            }
        }
        WithdrawCommand::List { status, mine, json } => {
            let views: Vec<WithdrawalView> = app.call(&token, ListWithdrawals { status, mine_only: mine }).await?;
            if json {
                return output::json(&views);
            }
            let rows = views
                .iter()
                .map(|w| {
                    vec![
                        w.id.to_string(),
                        output::local_time(w.created_at),
                        w.requester.clone(),
                        w.status.clone(),
                        format!("{} {}", w.amount, w.asset),
                        format!("{} ({})", w.label, w.network),
                        w.decided_by.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            output::table(
                &["ID", "REQUESTED", "BY", "STATUS", "AMOUNT", "TO", "DECIDED BY"],
                rows,
                "No withdrawal requests.",
            );
        }
        WithdrawCommand::Approve { id, note } => decide(app, &token, &id, true, &note).await?,
        WithdrawCommand::Reject { id, note } => decide(app, &token, &id, false, &note).await?,
        WithdrawCommand::Export { file } => {
            let export = app.call(&token, ExportWithdrawals {}).await?;
            write_export(&file, &export)?;
            println!("Wrote {} withdrawal request(s) to {}.", export.rows, file.display());
        }
    }
    Ok(())
}

async fn decide(
    app: &App,
    token: &gatehouse_core::SessionToken,
    id: &str,
    approve: bool,
    note: &str,
) -> Result<(), ApiError> {
    let decision = DecideWithdrawal { withdrawal_id: parse_id("Withdrawal", id)?, approve, note: note.to_owned() };
    let decided = stepped_up!(app, token, app.call(token, decision.clone()))?;
    println!("Withdrawal {} is {}.", decided.id, decided.status);
    Ok(())
}
