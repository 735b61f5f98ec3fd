//! `gatehouse 2fa …`: enrol an authenticator app (QR code in the terminal), status,
//! new backup codes, turn off; recover from a lost data key.

use gatehouse_api::{ApiError, TwoFactorStatusView};
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
            let enrollment = stepped_up!(app, &token, app.gate.begin_two_factor_enrollment(app.caller(&token)))?;
            println!("Scan this QR code with your authenticator app (Google Authenticator, 1Password, Aegis…):\n");
            println!("{}", terminal_qr(&enrollment.uri)?);
            println!("Or type this key: {}", enrollment.secret_grouped.as_str());
            println!("URI: {}", enrollment.uri.as_str());
            println!("Keep this key safe: it cannot be recovered. If you lose your phone, use a backup code.\n");
            let code = app.secrets.read("Code from the app")?;
            let codes = stepped_up!(app, &token, app.gate.confirm_two_factor_enrollment(app.caller(&token), &code))?;
            println!("Two-factor authentication is on.\n");
            print_backup_codes(&codes);
        }
        TwoFactorCommand::Status { user, json } => {
            let token = app.token()?;
            let user = user_id(app, &token, user.as_deref()).await?;
            let status = app.gate.two_factor_status(app.caller(&token), user).await?;
            let view = TwoFactorStatusView::from(&status);
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
            let codes = stepped_up!(app, &token, app.gate.regenerate_backup_codes(app.caller(&token)))?;
            println!("New backup codes (the old ones no longer work):\n");
            print_backup_codes(&codes);
        }
        TwoFactorCommand::Disable => {
            let token = app.token()?;
            let password = app.secrets.read("Password")?;
            let code = app.secrets.read("Authentication code (or a backup code)")?;
            app.gate.disable_two_factor(app.caller(&token), &password, &code).await?;
            println!("Two-factor authentication is off.");
        }
    }
    Ok(())
}

fn terminal_qr(uri: &str) -> Result<String, ApiError> {
    let code = QrCode::new(uri.as_bytes()).map_err(|err| cli_error("internal", format!("QR code: {err}")))?;
    Ok(code.render::<Dense1x2>().quiet_zone(true).build())
}

fn print_backup_codes(codes: &gatehouse_core::BackupCodes) {
    for code in &codes.0 {
        println!("  {}", code.as_str());
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
    let password = app.secrets.read("Administrator's password")?;
    let origin = app.origin()?;
    let users = app.gate.recover_lost_data_key(email, &password, &origin, app.now()).await?;
    println!(
        "A new key protects two-factor secrets. Two-factor authentication was turned off for {users} user(s); \
         they were signed out and set it up again at their next sign-in."
    );
    Ok(())
}
