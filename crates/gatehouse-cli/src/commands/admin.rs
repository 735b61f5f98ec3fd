//! `gatehouse policy …`, `gatehouse geoip …`, `gatehouse audit …`, `gatehouse keygen`.

use gatehouse_api::operations::{
    CancelPolicyChange, ConfirmPolicyChange, GetPolicy, GetSessionState, ListAudit, PendingPolicyChanges, SetPolicy,
};
use gatehouse_api::{ApiError, AuditView, PendingChangeView, PolicyView};
use gatehouse_core::{Caller, SessionToken};

use crate::app::{App, stepped_up};
use crate::args::{AuditCommand, GeoipCommand, PolicyCommand, PolicySetArgs};
use crate::commands::parse_id;
use crate::output;

pub async fn policy(app: &App, command: PolicyCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    let current = app.call(&token, GetPolicy {}).await?;
    match command {
        PolicyCommand::Show { json } => {
            if json {
                return output::json(&current);
            }
            print_policy(&current);
        }
        PolicyCommand::Set(changes) => {
            let wanted = SetPolicy { policy: apply(current, &changes) };
            let update = stepped_up!(app, &token, app.call(&token, wanted.clone()))?;
            println!("Policy saved.");
            print_policy(&update.policy);
            if !update.delayed.is_empty() {
                let delayed = &update.delayed;
                println!("\nThese weaken protection: every admin and finance user was alerted, and they apply");
                println!("only at the time shown, unless another admin confirms them (gatehouse policy confirm ID)");
                println!("or any admin cancels them (gatehouse policy cancel ID).");
                print_pending(delayed);
            }
        }
        PolicyCommand::Pending { json } => {
            let pending: Vec<PendingChangeView> = app.call(&token, PendingPolicyChanges {}).await?;
            if json {
                return output::json(&pending);
            }
            print_pending(&pending);
        }
        PolicyCommand::Confirm { id } => {
            let id = parse_id::<i64>("Change", &id)?;
            let policy = stepped_up!(app, &token, app.call(&token, ConfirmPolicyChange { change_id: id }))?;
            println!("Change {id} confirmed: it applies now.");
            print_policy(&policy);
        }
        PolicyCommand::Cancel { id } => {
            let id = parse_id::<i64>("Change", &id)?;
            app.call(&token, CancelPolicyChange { change_id: id }).await?;
            println!("Change {id} cancelled.");
        }
    }
    Ok(())
}

fn print_pending(pending: &[PendingChangeView]) {
    let rows = pending
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.label.clone(),
                format!("{} -> {}", c.from, c.to),
                c.proposed_by.clone(),
                output::local_time(c.effective_at),
            ]
        })
        .collect();
    output::table(&["ID", "SETTING", "CHANGE", "PROPOSED BY", "APPLIES AT"], rows, "No pending changes.");
}

fn apply(mut policy: PolicyView, changes: &PolicySetArgs) -> PolicyView {
    let set = |slot: &mut u32, value: Option<u32>| {
        if let Some(value) = value {
            *slot = value;
        }
    };
    set(&mut policy.session_idle_minutes, changes.session_idle_minutes);
    set(&mut policy.session_absolute_minutes, changes.session_absolute_minutes);
    set(&mut policy.idle_lock_minutes, changes.idle_lock_minutes);
    set(&mut policy.lockout_threshold, changes.lockout_threshold);
    set(&mut policy.lockout_minutes, changes.lockout_minutes);
    set(&mut policy.ip_lockout_threshold, changes.ip_lockout_threshold);
    set(&mut policy.step_up_minutes, changes.step_up_minutes);
    set(&mut policy.address_cooling_off_minutes, changes.address_cooling_off_minutes);
    set(&mut policy.failure_burst_threshold, changes.failure_burst_threshold);
    set(&mut policy.failure_burst_minutes, changes.failure_burst_minutes);
    set(&mut policy.new_place_days, changes.new_place_days);
    set(&mut policy.impossible_travel_kmh, changes.impossible_travel_kmh);
    set(&mut policy.hard_lockout_threshold, changes.hard_lockout_threshold);
    set(&mut policy.protection_change_delay_minutes, changes.protection_change_delay_minutes);
    if let Some(needed) = changes.withdrawals_need_approval {
        policy.withdrawals_need_approval = needed;
    }
    if let Some(required) = changes.require_two_factor {
        policy.require_two_factor = required;
    }
    policy
}

fn print_policy(policy: &PolicyView) {
    let rows = vec![
        vec!["Session idle lifetime".to_owned(), format!("{} min", policy.session_idle_minutes)],
        vec!["Session absolute lifetime".to_owned(), format!("{} min", policy.session_absolute_minutes)],
        vec!["Desktop idle lock".to_owned(), format!("{} min (0 = off)", policy.idle_lock_minutes)],
        vec!["Account lockout after".to_owned(), format!("{} failures", policy.lockout_threshold)],
        vec!["Lockout length".to_owned(), format!("{} min", policy.lockout_minutes)],
        vec![
            "Locked until an admin unlocks after".to_owned(),
            format!("{} failures in a row", policy.hard_lockout_threshold),
        ],
        vec!["Address lockout after".to_owned(), format!("{} failures", policy.ip_lockout_threshold)],
        vec![
            "Two-factor authentication".to_owned(),
            (if policy.require_two_factor { "required" } else { "optional" }).to_owned(),
        ],
        vec!["Step-up window".to_owned(), format!("{} min", policy.step_up_minutes)],
        vec!["Address cooling-off".to_owned(), format!("{} min", policy.address_cooling_off_minutes)],
        vec![
            "Withdrawal approval".to_owned(),
            (if policy.withdrawals_need_approval { "required" } else { "not required" }).to_owned(),
        ],
        vec![
            "Failure burst".to_owned(),
            format!("{} failures within {} min", policy.failure_burst_threshold, policy.failure_burst_minutes),
        ],
        vec!["New place after".to_owned(), format!("{} days", policy.new_place_days)],
        vec!["Impossible travel above".to_owned(), format!("{} km/h", policy.impossible_travel_kmh)],
        vec![
            "Weakening changes wait".to_owned(),
            format!("{} min (0 = apply at once)", policy.protection_change_delay_minutes),
        ],
    ];
    output::table(&["SETTING", "VALUE"], rows, "");
}

/// `geoip …`: the GeoIP database is a file beside the database (on a server: the server
/// host's `--geoip`), so this runs on the database itself.
pub async fn geoip(app: &mut App, command: GeoipCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    app.local("geoip")?;
    match command {
        GeoipCommand::Show => {
            app.call(&token, GetSessionState {}).await?;
            match app.local("geoip")?.geoip_setting().await? {
                Some(path) => println!("{}", path.display()),
                None => println!(
                    "No GeoIP database is saved; locations show as Unknown (Local network for private addresses)."
                ),
            }
        }
        GeoipCommand::Set { file } => {
            let file = std::path::absolute(&file).unwrap_or(file);
            set_geoip(app, &token, Some(&file)).await?;
            println!("Locations now come from {}.", file.display());
        }
        GeoipCommand::Clear => {
            set_geoip(app, &token, None).await?;
            println!("GeoIP database cleared.");
        }
    }
    Ok(())
}

/// Saves the GeoIP setting, confirming it's the admin first when asked.
async fn set_geoip(app: &mut App, token: &SessionToken, path: Option<&std::path::Path>) -> Result<(), ApiError> {
    match save_geoip(app, token, path).await? {
        Err(asked @ gatehouse_core::Error::StepUpRequired { .. }) => {
            app.step_up(token, &ApiError::from(asked)).await?;
            Ok(save_geoip(app, token, path).await??)
        }
        result => Ok(result?),
    }
}

async fn save_geoip(
    app: &mut App,
    token: &SessionToken,
    path: Option<&std::path::Path>,
) -> Result<gatehouse_core::Result<()>, ApiError> {
    let caller = Caller { token, now: app.now(), ip: gatehouse_host::primary_ip() };
    Ok(app.local_mut("geoip")?.set_geoip_setting(caller, path).await)
}

pub async fn audit(app: &App, command: AuditCommand) -> Result<(), ApiError> {
    let token = app.token()?;
    let AuditCommand::List { limit, json } = command;
    let entries: Vec<AuditView> = app.call(&token, ListAudit { limit: Some(limit) }).await?;
    if json {
        return output::json(&entries);
    }
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                output::local_time(e.at),
                e.actor_email.clone().unwrap_or_else(|| "(set-up)".to_owned()),
                e.action.clone(),
                e.target_email.clone().unwrap_or_default(),
                e.detail.clone(),
            ]
        })
        .collect();
    output::table(&["TIME", "WHO", "ACTION", "USER", "DETAIL"], rows, "The audit log is empty.");
    Ok(())
}

/// `gatehouse keygen FILE`: a new data key file, readable only by its owner.
pub fn keygen(file: &std::path::Path) -> Result<(), ApiError> {
    gatehouse_host::create_key_file(file).map_err(|err| {
        crate::app::cli_error("cli.keygen", format!("Could not create the key file {}: {err}", file.display()))
    })?;
    println!("Wrote a new data key to {} (readable only by you).", file.display());
    println!("Keep a copy somewhere safe: without it, two-factor secrets sealed with it cannot be opened.");
    Ok(())
}

/// `import`: copies the standalone installation in `from_data_dir` into the opened database.
pub async fn import(
    app: &App,
    from_data_dir: std::path::PathBuf,
    from_data_key_file: Option<&std::path::Path>,
) -> Result<(), ApiError> {
    app.local("import")?;
    if !from_data_dir.join("gatehouse.db").is_file() {
        return Err(crate::app::cli_error(
            "cli.import_source",
            format!(
                "No Gatehouse database in {}: pass the standalone installation's data folder.",
                from_data_dir.display()
            ),
        ));
    }
    let source_database = gatehouse_core::Database::Sqlite { data_dir: from_data_dir };
    let source = app.open_other(&source_database, from_data_key_file).await?;
    let counts = app.local("import")?.import_from(&source, app.now()).await?;
    println!("Imported {} into {}:", source_database.describe(), app.location);
    println!(
        "  {} user(s), {} with two-factor authentication, {} backup code(s)",
        counts.users, counts.two_factor, counts.backup_codes
    );
    println!("  {} device(s), {} session(s) (all ended: everyone signs in again)", counts.devices, counts.sessions);
    println!(
        "  {} sign-in attempt(s), {} notice(s), {} audit entries",
        counts.attempts, counts.notices, counts.audit_entries
    );
    println!(
        "  {} address(es), {} withdrawal request(s), {} other setting(s)",
        counts.addresses, counts.withdrawals, counts.other
    );
    Ok(())
}
