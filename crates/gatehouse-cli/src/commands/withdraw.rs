//! `gatehouse withdraw …`: create, list, approve, reject, export.

use gatehouse_api::{ApiError, NewWithdrawalRequest, WithdrawalView};
use gatehouse_core::{NewWithdrawal, WithdrawalId, WithdrawalQuery, WithdrawalStatus};

use crate::app::{App, stepped_up};
use crate::args::WithdrawCommand;
use crate::commands::parse_id;
use crate::output;

pub async fn run(app: &mut App, command: WithdrawCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        WithdrawCommand::Create { address_id, asset, amount, note } => {
            let address_id: i64 = parse_id("Address", &address_id)?;
            let new: NewWithdrawal = NewWithdrawalRequest { address_id, asset, amount, note }.into();
            let made = stepped_up!(app, &token, app.gate.create_withdrawal(app.caller(&token), new.clone()))?;
            let view = WithdrawalView::from(&made);
            println!("Withdrawal {} ({}): {} {} to {:?}", view.id, view.status, view.amount, view.asset, view.label);
            println!("Address: {}", view.address);
            if let Some(memo) = &view.memo {
                println!("Memo/tag: {memo}");
            }
        }
        WithdrawCommand::List { status, mine, json } => {
            let status = status.as_deref().map(WithdrawalStatus::parse).transpose()?;
            let list =
                app.gate.list_withdrawals(app.caller(&token), &WithdrawalQuery { status, mine_only: mine }).await?;
            let views: Vec<WithdrawalView> = list.iter().map(WithdrawalView::from).collect();
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
            let rows = app
                .gate
                .export_withdrawals_csv(app.caller(&token), &WithdrawalQuery::default(), || output::create_file(&file))
                .await?;
            println!("Wrote {rows} withdrawal request(s) to {}.", file.display());
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
    let id: WithdrawalId = parse_id("Withdrawal", id)?;
    let decided = stepped_up!(app, token, app.gate.decide_withdrawal(app.caller(token), id, approve, note))?;
    println!("Withdrawal {} is {}.", decided.id, decided.status.as_str());
    Ok(())
}
