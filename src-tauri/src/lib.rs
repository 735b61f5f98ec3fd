//! The Gatehouse desktop app: a thin Tauri shell over gatehouse-core. It opens the
//! database, keeps the session token (in the OS keychain, never in the web view) and
//! exposes one command per UI action; each command validates, calls the core, maps the error.

mod commands;
mod desk;

use desk::Desk;

/// Starts the app.
pub fn run() {
    init_logging();
    let desk = tauri::async_runtime::block_on(Desk::start());
    let result = tauri::Builder::default()
        .manage(desk)
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
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
