//! CSV exports (sign-in activity, the address book, withdrawal requests). Two rules hold for
//! all of them:
//!
//! - The file is created only once the request was accepted: the caller hands in a function
//!   that opens it, called after authorisation and validation, so a refused export leaves no
//!   empty file behind.
//! - Every cell is written so that a spreadsheet shows it as text (OWASP "CSV injection"): a
//!   cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
//!   apostrophe, so a label like `=HYPERLINK(…)` is never run as a formula.

use std::borrow::Cow;
use std::io::Write;

use crate::error::{Error, Result};

/// A CSV file being written.
pub(crate) struct CsvExport<W: Write> {
    csv: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> CsvExport<W> {
    /// Opens the target (now that the request was accepted) and writes the header.
    pub(crate) fn start(open: impl FnOnce() -> std::io::Result<W>, header: &[&str]) -> Result<Self> {
        let out = open().map_err(|err| Error::Export { reason: err.to_string() })?;
        let mut export = CsvExport { csv: csv::Writer::from_writer(out), rows: 0 };
        export.write(header.iter().copied())?;
        Ok(export)
    }

    /// Writes one row, each cell as text.
    pub(crate) fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let cells: Vec<Cow<'a, str>> = cells.into_iter().map(as_text).collect();
        self.write(cells.iter().map(AsRef::as_ref))?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes the file; returns how many rows (header aside) were written.
    pub(crate) fn finish(mut self) -> Result<u64> {
        self.csv.flush().map_err(|err| Error::Export { reason: err.to_string() })?;
        Ok(self.rows)
    }

    fn write<'c>(&mut self, cells: impl IntoIterator<Item = &'c str>) -> Result<()> {
        self.csv.write_record(cells).map_err(|err| Error::Export { reason: err.to_string() })
    }
}

/// `cell`, or `'cell` when a spreadsheet would take it for a formula.
pub(crate) fn as_text(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}
