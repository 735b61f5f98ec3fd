//! `gatehouse serve`: opens the database with the data key from its file, sets up the
//! log, and runs the HTTPS server until SIGTERM or Ctrl-C.

use gatehouse_api::ApiError;
use gatehouse_server::{ServeOptions, Transport, TrustedProxies};

use crate::app::{cli_error, database, open_gatehouse, open_options};
use crate::args::{Cli, LogFormat, ServeArgs};

pub async fn run(cli: &Cli, args: &ServeArgs) -> Result<(), ApiError> {
    let transport = match (&args.tls_cert, &args.tls_key, args.insecure_loopback_http) {
        (Some(cert), Some(key), false) => Transport::Tls { cert: cert.clone(), key: key.clone() },
        (None, None, true) => Transport::InsecureLoopbackHttp,
        _ => {
            return Err(cli_error(
                "serve.no_tls",
                "A server needs --tls-cert FILE and --tls-key FILE (or, on a loopback address only, \
                 --insecure-loopback-http).",
            ));
        }
    };
    let trusted_proxies = TrustedProxies::parse(&args.trusted_proxy).map_err(|msg| cli_error("invalid_input", msg))?;
    let options = ServeOptions { listen: args.listen, transport, trusted_proxies };
    options.check()?;
    let Some(data_key_file) = cli.data_key_file.as_deref() else {
        return Err(cli_error(
            "serve.no_data_key",
            "A server reads its data key from a file: pass --data-key-file FILE (make one with: gatehouse keygen FILE).",
        ));
    };
    init_logging(args.log_format);
    let database = database(cli)?;
    let gate = open_gatehouse(&database, open_options(cli), Some(data_key_file)).await?;
    let description = database.describe();
    let url_of = options.clone();
    gatehouse_server::serve(
        gate,
        options,
        move |address| {
            tracing::info!(%address, database = %description, "listening");
            // Scripts and tests wait for this line.
            println!("Gatehouse is listening on {}", url_of.url(address));
        },
        stop_signal(),
    )
    .await
}

/// Resolves on SIGTERM (systemd stopping the service) or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("stopping: letting open requests finish");
}

/// The server's log on stderr: `GATEHOUSE_LOG` filters it (default: info for Gatehouse and
/// its requests); JSON when asked for.
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GATEHOUSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,gatehouse=info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
}
