//! `gatehouse notices …`: the notifications centre in a terminal, and `watch`, which prints
//! each new notice as it arrives (from the server's event stream, or this computer's
//! database) and keeps the last printed cursor in a file, so that a watch restarted after a
//! crash or a dropped connection prints what it missed, once (a kill in the instant between
//! printing a notice and saving its cursor prints that one again: never lost).

use std::io::Write;
use std::path::{Path, PathBuf};

use gatehouse_api::operations::ListNotices;
use gatehouse_api::{ApiError, NoticeView, StreamEvent};
use gatehouse_client::ClientEvent;
use sha2::{Digest, Sha256};

use crate::app::{App, cli_error};
use crate::args::NoticesCommand;
use crate::output;

pub async fn run(app: &App, command: NoticesCommand) -> Result<(), ApiError> {
    match command {
        NoticesCommand::List { unread, json } => list(app, unread, json).await,
        NoticesCommand::Watch { json, cursor_file } => {
            let cursor_file = match cursor_file {
                Some(file) => file,
                None => default_cursor_file(&app.location)?,
            };
            watch(app, json, &cursor_file).await
        }
    }
}

async fn list(app: &App, unread_only: bool, json: bool) -> Result<(), ApiError> {
    let token = app.token()?;
    let notices: Vec<NoticeView> =
        app.call(&token, ListNotices {}).await?.into_iter().filter(|notice| !unread_only || !notice.read).collect();
    if json {
        return output::json(&notices);
    }
    let rows = notices
        .iter()
        .map(|notice| {
            vec![
                notice.id.to_string(),
                output::local_time(notice.at),
                notice.kind.clone(),
                notice.title.clone(),
                output::mark(!notice.read, "unread"),
            ]
        })
        .collect();
    let empty = if unread_only { "No unread notices." } else { "No notices." };
    output::table(&["ID", "WHEN", "KIND", "TITLE", ""], rows, empty);
    Ok(())
}

/// Prints notices as they arrive until interrupted (exit 0) or the session ends (an error
/// saying why). Connection trouble is reported on stderr while the stream reconnects.
async fn watch(app: &App, json: bool, cursor_file: &Path) -> Result<(), ApiError> {
    let token = app.token()?;
    let resume = read_cursor(cursor_file)?;
    let mut events = app.events(token, resume);
    let mut was_disconnected = false;
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let Some(event) = event else { return Ok(()) };
        match event {
            ClientEvent::Connected if was_disconnected => {
                was_disconnected = false;
                eprintln!("Connected again to {}; catching up.", app.location);
            }
            ClientEvent::Connected => {}
            ClientEvent::Disconnected { error, retry_in } => {
                was_disconnected = true;
                eprintln!("{} Trying again in {:.1} s.", error.message, retry_in.as_secs_f32());
            }
            ClientEvent::Event(event) => handle(event, json, cursor_file)?,
        }
    }
}

fn handle(event: StreamEvent, json: bool, cursor_file: &Path) -> Result<(), ApiError> {
    match &event {
        StreamEvent::Notice { notice, .. } => print_notice(notice, json)?,
        StreamEvent::Resync { .. } => eprintln!(
            "More was missed than the server replays; those notices are in `gatehouse notices list`. Going on from now."
        ),
        StreamEvent::SessionEnded { message, .. } => {
            return Err(ApiError::new("session.signed_out", message.clone()));
        }
        StreamEvent::SessionLocked {} => return Err(gatehouse_core::Error::Locked.into()),
        StreamEvent::Ready { .. } | StreamEvent::Changed { .. } => {}
    }
    // Kept after printing: a watch killed in between prints that one notice again rather
    // than never.
    match event.cursor() {
        Some(cursor) => save_cursor(cursor_file, cursor),
        None => Ok(()),
    }
}

fn print_notice(notice: &NoticeView, json: bool) -> Result<(), ApiError> {
    let line = if json {
        serde_json::to_string(notice).map_err(|err| cli_error("internal", format!("Could not write JSON: {err}")))?
    } else {
        format!("{}  {}  {} — {}", output::local_time(notice.at), notice.kind, notice.title, notice.body)
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).map_err(|err| cli_error("cli.output", err.to_string()))
}

/// Gatehouse's data folder holds one cursor file per server or database watched.
fn default_cursor_file(location: &str) -> Result<PathBuf, ApiError> {
    let dir = gatehouse_host::default_data_dir()
        .ok_or_else(|| cli_error("cli.no_data_dir", "No home folder for the watch's cursor: give --cursor-file."))?;
    let digest = Sha256::digest(location.as_bytes());
    let name: String = digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
    Ok(dir.join("notices-watch").join(format!("{name}.cursor")))
}

fn read_cursor(file: &Path) -> Result<Option<i64>, ApiError> {
    match std::fs::read_to_string(file) {
        Ok(text) => text.trim().parse().map(Some).map_err(|_| {
            cli_error(
                "invalid_input",
                format!("{} does not hold a notice cursor; remove it to start afresh.", file.display()),
            )
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(cli_error("cli.cursor_file", format!("Could not read {}: {err}", file.display()))),
    }
}

/// Writes the cursor to a temporary file and renames it over the old one, so a crash never
/// leaves half a number.
fn save_cursor(file: &Path, cursor: i64) -> Result<(), ApiError> {
    let failed =
        |err: std::io::Error| cli_error("cli.cursor_file", format!("Could not save {}: {err}", file.display()));
    if let Some(dir) = file.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let partial = file.with_extension("partial");
    std::fs::write(&partial, format!("{cursor}\n")).and_then(|()| std::fs::rename(&partial, file)).map_err(failed)
}
