//! The Gatehouse desktop app: a thin Tauri shell over gatehouse-core. It opens the
//! database, keeps the session token (in the OS keychain, never in the web view) and
//! exposes one command per UI action; each command validates, calls the core, maps the error.

mod commands;
mod connection;
mod desk;
mod downloads;
mod footprint;
mod main_window;
mod plugins;
mod preferences;
mod tray;
mod watcher;
mod webkit_processes;

use std::path::PathBuf;

use clap::Parser;
use desk::{Desk, Settings};
use tauri::Manager;

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
    /// Start in the tray, without a window (how start at login launches it)
    #[arg(long)]
    tray: bool,
}

/// Starts the app.
pub fn run() {
    let started = std::time::Instant::now();
    footprint::before_start();
    init_logging();
    footprint::log_choices();
    // WebDriver adds flags of its own (e.g. --automation): unknown flags are ignored.
    let args = Args::parse();
    let custom_data_dir = args.data_dir.clone();
    let data_dir = custom_data_dir.clone().or_else(gatehouse_host::default_data_dir);
    let start_in_tray = args.tray;
    let settings = Settings { data_dir: args.data_dir, geoip: args.geoip };
    let built = tauri::Builder::default()
        // First: a second launch must hand over before anything else starts.
        .plugin(plugins::single_instance(custom_data_dir.as_deref()))
        .plugin(plugins::window_state(data_dir.as_deref()))
        .plugin(plugins::autostart(custom_data_dir.as_deref()))
        .manage(main_window::Memory::default())
        .setup(move |app| {
            // Here, after the single-instance plugin: a second launch opens nothing.
            app.manage(Desk::new(settings, started));
            // The window first, and the database opened off the main thread: WebKit starts
            // its processes and loads the page meanwhile (the page's first call waits for the
            // database if need be).
            if !start_in_tray {
                main_window::open(app.handle());
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { handle.state::<Desk>().open_now().await });
            match tray::create(app.handle()) {
                // scripts/bench-startup reads this line.
                Ok(()) => tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "tray ready"),
                Err(err) => tracing::error!("no tray icon: {err}; closing the window quits Gatehouse"),
            }
            watcher::start(app.handle().clone());
            if start_in_tray {
                main_window::settle_in_tray(app.handle());
            }
            Ok(())
        })
        .on_window_event(main_window::on_window_event)
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match built {
        Ok(app) => app.run(|_, event| {
            if let tauri::RunEvent::ExitRequested { code, api, .. } = event
                && main_window::keep_running(code)
            {
                api.prevent_exit();
            }
        }),
        Err(err) if plugin_failed(&err, "single-instance") => relaunch_after_handover_failed(&err),
        Err(err) => {
            tracing::error!(error = %err, "the app stopped with an error");
            eprintln!("Gatehouse could not start its window: {err}");
            std::process::exit(1);
        }
    }
}

fn plugin_failed(err: &tauri::Error, name: &str) -> bool {
    matches!(err, tauri::Error::PluginInitialization(plugin, _) if plugin == name)
}

/// Marks a launch that already started again once (see below).
const RELAUNCHED: &str = "GATEHOUSE_RELAUNCHED";

/// This launch found the running app on its data folder but could not hand over: that app
/// was quitting. Once it has gone, starting again makes this one the app (once: a second
/// failure is reported).
fn relaunch_after_handover_failed(err: &tauri::Error) -> ! {
    #[cfg(unix)]
    if std::env::var_os(RELAUNCHED).is_none() {
        use std::os::unix::process::CommandExt;
        tracing::warn!("{err}; starting again");
        std::thread::sleep(std::time::Duration::from_millis(500));
        let args: Vec<_> = std::env::args_os().skip(1).collect();
        if let Ok(exe) = std::env::current_exe() {
            // Only returns when it failed.
            let failed = std::process::Command::new(exe).args(args).env(RELAUNCHED, "1").exec();
            tracing::error!("could not start again: {failed}");
        }
    }
    tracing::error!(error = %err, "the app stopped with an error");
    eprintln!("Gatehouse could not start: {err}");
    std::process::exit(1);
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GATEHOUSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,gatehouse=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
