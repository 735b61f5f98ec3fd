//! Printing: aligned tables for people, JSON (the same views the desktop UI receives) for
//! scripts; local-time formatting and parsing.

use comfy_table::{Table, presets};
use gatehouse_api::ApiError;
use gatehouse_core::Timestamp;
use serde::Serialize;

use crate::app::cli_error;

/// Prints `value` as pretty JSON.
pub fn json<T: Serialize>(value: &T) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(value).map_err(|err| cli_error("internal", err.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Prints rows under a header, or `empty` when there are none.
pub fn table(header: &[&str], rows: Vec<Vec<String>>, empty: &str) {
    if rows.is_empty() {
        println!("{empty}");
        return;
    }
    let mut table = Table::new();
    table.load_preset(presets::NOTHING).set_header(header.to_vec());
    for row in rows {
        table.add_row(row);
    }
    println!("{}", table.trim_fmt());
}

/// `2026-11-22 13:05` in the local time zone.
pub fn local_time(millis: i64) -> String {
    match jiff::Timestamp::from_millisecond(millis) {
        Ok(t) => t.to_zoned(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => millis.to_string(),
    }
}

/// Parses `2026-11-01`, `2026-11-01T09:00` (local time) or an RFC 3339 instant.
pub fn parse_time(flag: &str, text: &str) -> Result<Timestamp, ApiError> {
    let text = text.trim();
    let tz = jiff::tz::TimeZone::system();
    let instant = if let Ok(t) = text.parse::<jiff::Timestamp>() {
        Some(t)
    } else if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        dt.to_zoned(tz).ok().map(|z| z.timestamp())
    } else if let Ok(date) = text.parse::<jiff::civil::Date>() {
        date.to_zoned(tz).ok().map(|z| z.timestamp())
    } else {
        None
    };
    instant.map(|t| Timestamp::from_millis(t.as_millisecond())).ok_or_else(|| {
        let mut err = cli_error("invalid_input", format!("{flag}: use a date like 2026-11-01 or 2026-11-01T09:00."));
        err.field = Some(flag.to_owned());
        err
    })
}

/// `yes` / empty for a table cell.
pub fn mark(flag: bool, text: &str) -> String {
    if flag { text.to_owned() } else { String::new() }
}

/// Creates `path` for an export (the core calls this once it accepted the export); errors
/// name the path.
pub fn create_file(path: &std::path::Path) -> std::io::Result<std::io::BufWriter<std::fs::File>> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|err| std::io::Error::new(err.kind(), format!("could not create {}: {err}", path.display())))
}
