//! One module per subcommand; each exposes `run(args) -> anyhow::Result<()>`.

use crate::cli::Command;

mod audit;
mod check;
mod demo;
mod demo_data;
mod estimate;
mod init;
mod models;
mod run;

pub fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Demo(a) => demo::run(a),
        Command::Estimate(a) => estimate::run(a),
        Command::Check(a) => check::run(a),
        Command::Init(a) => init::run(a),
        Command::DemoData(a) => demo_data::run(a),
        Command::Run(a) => run::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Models(a) => models::run(a),
    }
}
