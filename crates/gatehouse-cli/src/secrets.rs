//! Reading passwords: at a hidden prompt on a terminal, or one per line from standard
//! input otherwise (so scripts and tests can drive every command). Never from argv.

use std::io::{BufRead, IsTerminal};

use gatehouse_api::ApiError;
use zeroize::Zeroizing;

use crate::app::cli_error;

/// The source of secrets for this run.
pub struct Secrets {
    interactive: bool,
}

impl Secrets {
    /// Prompts when stdin is a terminal; reads lines otherwise.
    pub fn from_stdin() -> Self {
        Secrets { interactive: std::io::stdin().is_terminal() }
    }

    /// Asks for one secret.
    pub fn read(&self, prompt: &str) -> Result<Zeroizing<String>, ApiError> {
        if self.interactive {
            return rpassword::prompt_password(format!("{prompt}: "))
                .map(Zeroizing::new)
                .map_err(|err| cli_error("cli.input", format!("Could not read the password: {err}")));
        }
        let mut line = Zeroizing::new(String::new());
        let read = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|err| cli_error("cli.input", format!("Could not read standard input: {err}")))?;
        if read == 0 {
            return Err(cli_error(
                "cli.input",
                format!("Expected {} on standard input (one per line).", prompt.to_lowercase()),
            ));
        }
        let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
        Ok(trimmed)
    }

    /// Asks for a new password; on a terminal, twice, and they must match.
    pub fn read_new(&self, prompt: &str) -> Result<Zeroizing<String>, ApiError> {
        let first = self.read(prompt)?;
        if self.interactive {
            let again = self.read("Repeat it")?;
            if *again != *first {
                return Err(cli_error("cli.input", "The passwords do not match; nothing was changed."));
            }
        }
        Ok(first)
    }
}
