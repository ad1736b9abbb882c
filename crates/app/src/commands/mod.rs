//! One file per command.

mod audit;
mod backup;
mod config;
mod db;
mod doctor;
mod incident;
mod keys;
mod migrate;
mod seed_demo;
mod serve;
mod user;
mod version;

use crate::cli::{
    AuditCommand, BackupCommand, Cli, Command, ConfigCommand, DbCommand, DrillCommand,
    IncidentCommand, KeysCommand, UserCommand,
};

pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve => serve::run(file),
        Command::Migrate => migrate::run(file),
        Command::Config(ConfigCommand::Check) => config::check(file),
        Command::Config(ConfigCommand::Show) => config::show(file),
        Command::Keys(KeysCommand::Status) => keys::status(file),
        Command::Keys(KeysCommand::Rotate { purpose }) => keys::rotate(file, &purpose),
        Command::Keys(KeysCommand::Reencrypt { batch_size }) => keys::reencrypt(file, batch_size),
        Command::Keys(KeysCommand::RotateMaster { new_key_file }) => {
            keys::rotate_master(file, &new_key_file)
        }
        Command::User(UserCommand::CreateOwner { email }) => user::create_owner(file, &email),
        Command::Db(DbCommand::SetupRoles { migration_role, runtime_role, print }) => {
            db::setup_roles(file, &migration_role, &runtime_role, print)
        }
        Command::Audit(AuditCommand::Verify) => audit::verify(file),
        Command::Audit(AuditCommand::PublicKey) => audit::public_key(file),
        Command::Audit(AuditCommand::NewSegment { confirm }) => audit::new_segment(file, confirm),
        Command::Audit(AuditCommand::Export { since, until, format: _, output }) => {
            audit::export(file, since.as_deref(), until.as_deref(), output.as_deref())
        }
        Command::Incident(IncidentCommand::Lockdown { state, reason }) => {
            incident::lockdown(file, state == "on", &reason)
        }
        Command::Incident(IncidentCommand::Report { since, until, directory }) => {
            incident::report(file, &since, until.as_deref(), &directory)
        }
        Command::Incident(IncidentCommand::VerifyBundle { directory, public_key }) => {
            incident::verify_bundle(file, &directory, public_key.as_deref())
        }
        Command::Incident(IncidentCommand::Notify { read_by, since, until, template, dry_run }) => {
            incident::notify(file, &read_by, &since, &until, &template, dry_run)
        }
        Command::Incident(command) => incident::run(file, command),
        Command::Backup(BackupCommand::Create) => backup::create(file),
        Command::Backup(BackupCommand::Verify { file: backup, identity }) => {
            backup::verify(file, &backup, &identity)
        }
        Command::Backup(BackupCommand::List) => backup::list(file),
        Command::Backup(BackupCommand::Keygen { output }) => backup::keygen(&output),
        Command::Restore { file: backup, identity, into } => {
            backup::restore(file, &backup, &identity, into)
        }
        Command::Drill(DrillCommand::Restore { identity, into }) => {
            backup::drill(file, &identity, into)
        }
        Command::Doctor { strict, advisory_db } => doctor::run(file, strict, advisory_db),
        Command::SeedDemo => seed_demo::run(file),
        Command::Version => {
            version::run();
            Ok(())
        }
    }
}

/// A multi-threaded runtime, built after the configuration is read (and, for `serve`, after the
/// sandbox is in place: threads started before it would not be restricted).
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
