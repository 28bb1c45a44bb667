//! The command line: parses arguments and hands off to the stages.
use std::process::ExitCode;

pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
