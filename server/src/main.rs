//! Reads the configuration, starts tracing and runs the server (or `server check`).

use std::process::ExitCode;

use clap::Parser;
use server::{
    config::{Cli, Command},
    telemetry, Application,
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Check { dir } => {
            if server::check_content(&dir) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Serve => {
            server::accounts::return_large_blocks_to_the_system();
            telemetry::init("info,tower_http=info");
            let application = match Application::build(&cli.config).await {
                Ok(application) => application,
                Err(error) => {
                    eprintln!("trailmap: cannot start: {error}");
                    return ExitCode::FAILURE;
                }
            };
            tracing::info!("listening on http://{}", application.local_addr());
            if let Some(addr) = application.metrics_addr() {
                tracing::info!("metrics at http://{addr}/metrics");
            }
            match application.run_until_stopped().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("trailmap: server error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
