//! `gatehouse checkup`: the security checkup in a terminal — each check with its status,
//! why it matters and the command that fixes it. Exits 1 when something needs attention,
//! for scripts and monitoring; `--team` checks the team instead (admins).

use gatehouse_api::operations::Checkup;
use gatehouse_api::{ApiError, CheckView, CheckupView, ThresholdsView};

use crate::app::{App, cli_error};
use crate::output;

pub async fn run(app: &App, json: bool, team: bool) -> Result<(), ApiError> {
    let token = app.token()?;
    let checkup: CheckupView = app.call(&token, Checkup {}).await?;
    if team && checkup.team.is_empty() {
        return Err(gatehouse_core::Error::Forbidden.into());
    }
    let checks = if team { &checkup.team } else { &checkup.personal };
    if json {
        output::json(checks)?;
    } else {
        print(checks, &checkup.thresholds);
    }
    match checks.iter().filter(|check| check.status != "ok").count() {
        0 => Ok(()),
        1 => Err(cli_error("checkup.attention", "1 thing needs your attention.")),
        n => Err(cli_error("checkup.attention", format!("{n} things need your attention."))),
    }
}

fn print(checks: &[CheckView], thresholds: &ThresholdsView) {
    let (open, done): (Vec<&CheckView>, Vec<&CheckView>) = checks.iter().partition(|check| check.status != "ok");
    if open.is_empty() {
        println!("All good.");
    }
    for check in &open {
        let status = if check.status == "at_risk" { "AT RISK" } else { "NEEDS ATTENTION" };
        let text = describe(check, thresholds);
        println!("{status}  {}", text.problem);
        println!("    {}", text.why);
        for item in &check.items {
            let at = item.at.map(|at| format!(" ({})", output::local_time(at))).unwrap_or_default();
            let detail = if item.detail.is_empty() { String::new() } else { format!(" — {}", item.detail) };
            println!("    · {} {}{detail}{at}", item.id, item.label);
        }
        if !text.fix.is_empty() {
            println!("    Fix: {}", text.fix);
        }
    }
    if !done.is_empty() {
        println!("\nDone:");
        for check in done {
            println!("  ok  {}", describe(check, thresholds).done);
        }
    }
}

/// What a check says, in a terminal.
struct Text {
    problem: String,
    why: &'static str,
    fix: &'static str,
    done: String,
}

fn describe(check: &CheckView, t: &ThresholdsView) -> Text {
    let n = check.count;
    let text = |problem: String, why, fix, done: String| Text { problem, why, fix, done };
    match check.id.as_str() {
        "two_factor" => text(
            "Two-factor authentication is off.".into(),
            "Anyone who learns your password can sign in as you.",
            "gatehouse 2fa enroll",
            "Two-factor authentication is on.".into(),
        ),
        "backup_codes" => text(
            format!("{n} backup code(s) left."),
            "Without them, losing your phone locks you out.",
            "gatehouse 2fa backup-codes",
            format!("{n} backup codes left."),
        ),
        "password" => text(
            "Your password is easy to guess or over a year old.".into(),
            "A strong, fresh password is the first lock on your account.",
            "gatehouse password change",
            "Your password is strong and recent.".into(),
        ),
        "stale_sessions" => text(
            format!("{n} session(s) not used for {} days.", t.stale_session_days),
            "Sessions you don't use are doors left open.",
            "gatehouse sessions end ID (each listed)",
            format!("No session idle for {} days.", t.stale_session_days),
        ),
        "stale_devices" => text(
            format!("{n} device(s) not used for {} days.", t.stale_device_days),
            "A device you no longer use should not reach your account.",
            "gatehouse devices remove ID (each listed)",
            format!("No device unused for {} days.", t.stale_device_days),
        ),
        "flagged_sign_ins" => text(
            format!("{n} flagged sign-in(s) in the last {} days to review.", t.flagged_review_days),
            "A sign-in with a warning you don't recognise means someone has your password.",
            "review each in the app (Overview): It was me / This wasn't me",
            format!("No unreviewed flagged sign-in in the last {} days.", t.flagged_review_days),
        ),
        "alert_settings" => text(
            format!("{n} kind(s) of security alert are in-app only."),
            "You hear of a break-in only when you next open Gatehouse.",
            "the app's Account → Alerts",
            "Security alerts reach your desktop.".into(),
        ),
        "pending_approvals" => text(
            format!("{n} withdrawal(s) wait for your approval."),
            "Requests wait on someone who can approve them.",
            "gatehouse withdraw list --status pending",
            "No withdrawal waits for you.".into(),
        ),
        "stale_addresses" => text(
            format!("{n} shared address(es) not used for {} days.", t.stale_address_days),
            "Fewer saved addresses leave less to tamper with.",
            "gatehouse address remove ID (each listed)",
            format!("Every shared address used in the last {} days.", t.stale_address_days),
        ),
        "team_two_factor" => text(
            format!("{n} user(s) without two-factor authentication."),
            "Each is one stolen password away from a break-in.",
            "gatehouse policy set --require-two-factor true",
            "Everyone has two-factor authentication (or must enrol at their next sign-in).".into(),
        ),
        "team_locked_accounts" => text(
            format!("{n} account(s) locked after failed sign-ins."),
            "Someone may be guessing passwords.",
            "gatehouse user unlock EMAIL",
            "No account is locked.".into(),
        ),
        "team_disabled_with_sessions" => text(
            format!("{n} disabled user(s) still have open sessions."),
            "A disabled account should reach nothing.",
            "gatehouse sessions list --user EMAIL, then end them",
            "No disabled user has an open session.".into(),
        ),
        "team_pending_weakening" => text(
            format!("{n} change(s) weakening protection are waiting."),
            "They apply by themselves unless cancelled.",
            "gatehouse policy pending",
            "No protection-weakening change is waiting.".into(),
        ),
        "team_geoip" => text(
            "No GeoIP database: locations show \"Unknown\".".into(),
            "New-place and impossible-travel warnings need locations.",
            "gatehouse geoip set FILE.mmdb",
            "Locations are looked up (GeoIP).".into(),
        ),
        "team_audit_log" => {
            text(format!("The audit log holds {n} entries."), "", "", format!("The audit log holds {n} entries."))
        }
        other => text(format!("{other}: {}", check.status), "", "", other.to_owned()),
    }
}
