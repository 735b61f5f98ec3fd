//! The Gatehouse desktop app: a thin Tauri shell over gatehouse-core. It opens the
//! database, keeps the session token (in the OS keychain, never in the web view) and
//! exposes one command per UI action; each command validates, calls the core, maps the error.

mod commands;
mod connection;
mod desk;
mod downloads;
mod watcher;

use std::path::PathBuf;

use clap::Parser;
use desk::{Desk, Settings};

/// Gatehouse desktop app.
#[derive(Debug, Parser)]
#[command(name = "gatehouse-desktop", version, ignore_errors = true)]
struct Args {
    /// Data folder holding the database [default: the OS's per-user data folder]
    #[arg(long, env = "GATEHOUSE_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// GeoIP database (MaxMind .mmdb) for locations, instead of the saved setting
    #[arg(long, env = "GATEHOUSE_GEOIP", value_name = "FILE")]
    geoip: Option<PathBuf>,
}

/// Starts the app.
pub fn run() {
    let started = std::time::Instant::now();
    init_logging();
    // WebDriver adds flags of its own (e.g. --automation): unknown flags are ignored.
    let args = Args::parse();
    let settings = Settings { data_dir: args.data_dir, geoip: args.geoip };
    let desk = tauri::async_runtime::block_on(Desk::start(settings, started));
    let result = tauri::Builder::default()
        .manage(desk)
        .setup(|app| {
            watcher::start(app.handle().clone());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(error = %err, "the app stopped with an error");
        eprintln!("Gatehouse could not start its window: {err}");
        std::process::exit(1);
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GATEHOUSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,gatehouse=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
