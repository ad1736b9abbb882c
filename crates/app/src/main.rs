//! `rampart`: parse the command line, run one command. Everything testable lives in the
//! libraries; see `commands/` for what each command does.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rampart: {error:#}");
            ExitCode::FAILURE
        }
    }
}
