//! `gatehouse 2fa …`: enrol an authenticator app (QR code in the terminal), status,
//! new backup codes, turn off; recover from a lost data key.

use gatehouse_api::operations::{
    BeginTwoFactorEnrollment, ConfirmTwoFactorEnrollment, DisableTwoFactor, GetTwoFactorStatus, RegenerateBackupCodes,
};
use gatehouse_api::{ApiError, BackupCodesView, Secret, TwoFactorStatusView};
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

use crate::app::{App, cli_error, stepped_up};
use crate::args::TwoFactorCommand;
use crate::commands::user_id;
use crate::output;

pub async fn run(app: &mut App, command: TwoFactorCommand) -> Result<(), ApiError> {
    match command {
        // Needs no session: signing in may itself need the lost key.
        TwoFactorCommand::RecoverLostKey { email, yes } => recover_lost_key(app, &email, yes).await?,
        TwoFactorCommand::Enroll => {
            let token = app.token()?;
            // Asks for the password first (a stolen session must not enrol its own phone),
            // except right after a sign-in that policy sent straight to enrolment.
            let enrollment = stepped_up!(app, &token, app.call(&token, BeginTwoFactorEnrollment {}))?;
            println!("Scan this QR code with your authenticator app (Google Authenticator, 1Password, Aegis…):\n");
            println!("{}", terminal_qr(&enrollment.uri)?);
            println!("Or type this key: {}", enrollment.secret_grouped);
            println!("URI: {}", enrollment.uri);
            println!("Keep this key safe: it cannot be recovered. If you lose your phone, use a backup code.\n");
            let code = Secret::new(app.secrets.read("Code from the app")?.as_str());
            let confirm = ConfirmTwoFactorEnrollment { code };
            let codes = stepped_up!(app, &token, app.call(&token, confirm.clone()))?;
            println!("Two-factor authentication is on.\n");
            print_backup_codes(&codes);
        }
        TwoFactorCommand::Status { user, json } => {
            let token = app.token()?;
            let user = user_id(app, &token, user.as_deref()).await?;
            let view: TwoFactorStatusView = app.call(&token, GetTwoFactorStatus { user_id: user }).await?;
            if json {
                return output::json(&view);
            }
            match view.enabled_at {
                Some(since) => println!("Two-factor authentication is on (since {}).", output::local_time(since)),
                None => println!("Two-factor authentication is off."),
            }
            if view.enabled {
                println!(
                    "Backup codes left: {}{}",
                    view.backup_codes_left,
                    if view.backup_codes_low { " — make new ones with: gatehouse 2fa backup-codes" } else { "" }
                );
            }
            if view.required {
                println!("Your organisation requires it.");
            }
        }
        TwoFactorCommand::BackupCodes => {
            let token = app.token()?;
            let codes = stepped_up!(app, &token, app.call(&token, RegenerateBackupCodes {}))?;
            println!("New backup codes (the old ones no longer work):\n");
            print_backup_codes(&codes);
        }
        TwoFactorCommand::Disable => {
            let token = app.token()?;
            let password = Secret::new(app.secrets.read("Password")?.as_str());
            let code = Secret::new(app.secrets.read("Authentication code (or a backup code)")?.as_str());
            app.call(&token, DisableTwoFactor { password, code }).await?;
            println!("Two-factor authentication is off.");
        }
    }
    Ok(())
}

fn terminal_qr(uri: &str) -> Result<String, ApiError> {
    let code = QrCode::new(uri.as_bytes()).map_err(|err| cli_error("internal", format!("QR code: {err}")))?;
    Ok(code.render::<Dense1x2>().quiet_zone(true).build())
}

fn print_backup_codes(codes: &BackupCodesView) {
    for code in &codes.codes {
        println!("  {code}");
    }
    println!("\nEach code works once. Store them somewhere safe: they are your way back in if you lose your phone.");
}

/// `gatehouse 2fa recover-lost-key --email ADMIN --yes`.
async fn recover_lost_key(app: &App, email: &str, confirmed: bool) -> Result<(), ApiError> {
    if !confirmed {
        return Err(cli_error(
            "cli.confirmation_required",
            "This turns off two-factor authentication for every user (each sets it up again) and makes a new key. \
             Run it again with --yes to go ahead.",
        ));
    }
    let gate = app.local("2fa recover-lost-key")?;
    let password = app.secrets.read("Administrator's password")?;
    let origin = app.origin()?;
    let users = gate.recover_lost_data_key(email, &password, &origin, app.now()).await?;
    println!(
        "A new key protects two-factor secrets. Two-factor authentication was turned off for {users} user(s); \
         they were signed out and set it up again at their next sign-in."
    );
    Ok(())
}
