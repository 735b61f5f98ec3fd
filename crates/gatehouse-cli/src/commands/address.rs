//! `gatehouse address …`: check, add, list, edit, remove, export.

use gatehouse_api::operations::{
    AddAddress, DeleteAddress, EditAddress, ExportAddresses, FindLookalikes, GetAddress, ListAddresses,
};
use gatehouse_api::{
    AddressChangesRequest, AddressCheckView, AddressQueryRequest, ApiError, NewAddressRequest, SavedAddressView,
};

use crate::app::{App, stepped_up};
use crate::args::AddressCommand;
use crate::commands::{parse_id, write_export};
use crate::output;

/// `address check`: needs no database or sign-in.
pub fn check(network: &str, address: &str, memo: Option<&str>) -> Result<(), ApiError> {
    let (canonical, notes) = gatehouse_core::check_address(network, address, memo)?;
    let view = AddressCheckView { address: canonical, notes };
    println!("Valid {network} address: {}", view.address);
    for note in &view.notes {
        println!("Note: {note}");
    }
    Ok(())
}

pub async fn run(app: &mut App, command: AddressCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    match command {
        // Handled in main.rs before anything is opened.
        AddressCommand::Check { network, address, memo } => check(&network, &address, memo.as_deref())?,
        AddressCommand::Add { label, network, address, memo, note, shared, accept_lookalike } => {
            let scope = if shared { "shared" } else { "personal" }.to_owned();
            let request = NewAddressRequest {
                label,
                network: network.clone(),
                address: address.clone(),
                memo,
                note,
                scope,
                accept_lookalike,
            };
            let result = stepped_up!(app, &token, app.call(&token, AddAddress { request: request.clone() }));
            let saved = match result {
                Err(err) if err.code == "address.lookalike" => {
                    explain_lookalikes(app, &token, &network, &address).await?;
                    return Err(err);
                }
                other => other?,
            };
            print_saved("Saved", &saved.address, &saved.notes);
        }
        AddressCommand::List { search, network, usable, json } => {
            let query = AddressQueryRequest { search, network, usable_only: usable };
            let views: Vec<SavedAddressView> = app.call(&token, ListAddresses { query }).await?;
            if json {
                return output::json(&views);
            }
            let rows = views
                .iter()
                .map(|a| {
                    let usable =
                        if a.usable { "yes".to_owned() } else { format!("from {}", output::local_time(a.usable_from)) };
                    vec![
                        a.id.to_string(),
                        a.label.clone(),
                        a.network.clone(),
                        a.address.clone(),
                        a.memo.clone().unwrap_or_default(),
                        a.scope.clone(),
                        usable,
                    ]
                })
                .collect();
            output::table(
                &["ID", "LABEL", "NETWORK", "ADDRESS", "MEMO/TAG", "SCOPE", "USABLE"],
                rows,
                "No saved addresses match.",
            );
        }
        AddressCommand::Edit { id, label, address, memo, note, accept_lookalike } => {
            let id: i64 = parse_id("Address", &id)?;
            let current = app.call(&token, GetAddress { address_id: id }).await?;
            let changes = AddressChangesRequest {
                label: label.unwrap_or(current.label),
                address: address.unwrap_or(current.address),
                memo: match memo {
                    Some(memo) if memo.trim().is_empty() => None,
                    Some(memo) => Some(memo),
                    None => current.memo,
                },
                note: note.unwrap_or(current.note),
                accept_lookalike,
            };
            let network = current.network.clone();
            let candidate = changes.address.clone();
            let edit = EditAddress { address_id: id, changes };
            let result = stepped_up!(app, &token, app.call(&token, edit.clone()));
            let saved = match result {
                Err(err) if err.code == "address.lookalike" => {
                    explain_lookalikes(app, &token, &network, &candidate).await?;
                    return Err(err);
                }
                other => other?,
            };
            print_saved("Saved", &saved.address, &saved.notes);
        }
        AddressCommand::Remove { id } => {
            let id: i64 = parse_id("Address", &id)?;
            stepped_up!(app, &token, app.call(&token, DeleteAddress { address_id: id }))?;
            println!("Deleted address {id}. Withdrawals made to it keep their copy.");
        }
        AddressCommand::Export { file } => {
            let export = app.call(&token, ExportAddresses {}).await?;
            write_export(&file, &export)?;
            println!("Wrote {} address(es) to {}.", export.rows, file.display());
        }
    }
    Ok(())
}

fn print_saved(verb: &str, a: &SavedAddressView, notes: &[String]) {
    println!("{verb} {:?} ({}, {}): {}", a.label, a.network_name, a.scope, a.address);
    if let Some(memo) = &a.memo {
        println!("Memo/tag: {memo}");
    }
    if a.usable {
        println!("Usable for withdrawals now.");
    } else {
        println!("Usable for withdrawals from {} (cooling-off).", output::local_time(a.usable_from));
    }
    for note in notes {
        println!("Note: {note}");
    }
}

/// Prints the saved addresses the candidate resembles, with the differing middles in [brackets].
async fn explain_lookalikes(
    app: &App,
    token: &gatehouse_core::SessionToken,
    network: &str,
    candidate: &str,
) -> Result<(), ApiError> {
    let lookalikes = FindLookalikes { network: network.to_owned(), address: candidate.to_owned() };
    for m in app.call(token, lookalikes).await? {
        eprintln!("Looks like {:?}:", m.label);
        eprintln!("  saved:     {}", bracket(&m.address, m.saved_middle));
        if let Ok((canonical, _)) = gatehouse_core::check_address(network, candidate, None) {
            eprintln!("  this one:  {}", bracket(&canonical, m.candidate_middle));
        }
    }
    eprintln!("If you checked every character and it is right, add --accept-lookalike.");
    Ok(())
}

fn bracket(address: &str, [start, end]: [u32; 2]) -> String {
    let (start, end) = (start as usize, end as usize);
    match (address.get(..start), address.get(start..end), address.get(end..)) {
        (Some(head), Some(middle), Some(tail)) => format!("{head}[{middle}]{tail}"),
        _ => address.to_owned(),
    }
}
