//! The `camunda7-codegen` command line: `generate <SPEC> [-o FILE] [--own-crate]`, `diff <OLD> <NEW>`.

use camunda7_codegen::{generate_file, Settings};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Generates the camunda7-client Rust code from a Camunda 7 engine REST OpenAPI document.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print (or write) the Rust code generated from an OpenAPI 3.0 document (YAML or JSON).
    Generate {
        /// The OpenAPI document.
        spec: PathBuf,
        /// Write the code to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Only these tags (comma-separated, e.g. "External Task" or external_task).
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// Only these operations (comma-separated operationIds, e.g. fetchAndLock).
        #[arg(long, value_delimiter = ',')]
        operations: Vec<String>,
        /// Generate for a crate of one's own (what camunda7_codegen::Builder writes: paths through
        /// ::camunda7_client::runtime, a ClientExt trait) instead of for camunda7-client itself.
        #[arg(long)]
        own_crate: bool,
    },
    /// Report the API changes between two documents, marking what breaks callers.
    Diff {
        /// The old document.
        old: PathBuf,
        /// The new document.
        new: PathBuf,
        /// Output format: text, markdown or json.
        #[arg(long, default_value = "text")]
        format: String,
        /// Only list breaking changes.
        #[arg(long)]
        breaking_only: bool,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Diff {
            old,
            new,
            format,
            breaking_only,
        } => camunda7_codegen::diff::cli(&old, &new, &format, breaking_only),
        Command::Generate {
            spec,
            output,
            tags,
            operations,
            own_crate,
        } => {
            let mut settings = if own_crate {
                Settings::default()
            } else {
                Settings::camunda7_client()
            };
            if !tags.is_empty() {
                settings = settings.with_tags(tags.iter().map(|t| t.trim()));
            }
            if !operations.is_empty() {
                settings = settings.with_operations(operations.iter().map(|o| o.trim()));
            }
            match generate_file(&spec, &settings) {
                Ok(generated) => {
                    for warning in &generated.warnings {
                        eprintln!("warning: {}: {warning}", spec.display());
                    }
                    let written = match &output {
                        Some(path) => std::fs::write(path, &generated.code)
                            .map_err(|e| format!("cannot write {}: {e}", path.display())),
                        None => {
                            use std::io::Write;
                            std::io::stdout()
                                .write_all(generated.code.as_bytes())
                                .map_err(|e| format!("cannot write to standard output: {e}"))
                        }
                    };
                    match written {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(message) => {
                            eprintln!("error: {message}");
                            ExitCode::FAILURE
                        }
                    }
                }
                Err(failure) => {
                    for warning in &failure.warnings {
                        eprintln!("warning: {}: {warning}", spec.display());
                    }
                    for error in &failure.errors {
                        eprintln!("error: {}: {error}", spec.display());
                    }
                    eprintln!(
                        "error: {} has {} error(s); nothing generated",
                        spec.display(),
                        failure.errors.len()
                    );
                    ExitCode::FAILURE
                }
            }
        }
    }
}
