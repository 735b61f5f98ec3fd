//! Writes `ui/src/lib/generated/operations.ts` from the operations table: one entry per
//! operation with its argument and output types, so the UI's `backend` module is checked
//! against the table by the TypeScript compiler. Runs with this crate's tests, beside
//! ts-rs's own exports; `scripts/test` fails when the committed file differs.

use std::collections::BTreeSet;
use std::fmt::Write;

use ts_rs::{Config, TS, TypeVisitor};

use crate::{OperationVisitor, Run};

/// The file's text.
pub fn operations_ts() -> String {
    let config = Config::from_env();
    let mut table = Table { config, imports: BTreeSet::new(), entries: String::new(), sessions: String::new() };
    crate::visit_operations(&mut table);
    let mut out = String::from(
        "// Generated from gatehouse-api's operations table (src/operations.rs) by its tests. Do not edit.\n",
    );
    for name in &table.imports {
        let _ = writeln!(out, "import type {{ {name} }} from \"./{name}\";");
    }
    let _ = write!(
        out,
        "\n/** Every operation: what it takes and what it returns. */\nexport interface Operations {{\n{}}}\n",
        table.entries
    );
    let _ = write!(
        out,
        "\n/** Whether each operation needs a signed-in session. */\n\
         export const NEEDS_SESSION: Record<keyof Operations, boolean> = {{\n{}}};\n",
        table.sessions
    );
    out
}

struct Table {
    config: Config,
    imports: BTreeSet<String>,
    entries: String,
    sessions: String,
}

impl OperationVisitor for Table {
    fn visit<O: Run>(&mut self) {
        let cfg = &self.config;
        let (args, output) = (O::name(cfg), O::Output::name(cfg));
        self.imports.insert(args.clone());
        // The exported types the output's name mentions (`Array<SessionView>`: SessionView),
        // not those they use in turn.
        let mentioned: BTreeSet<&str> = output.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
        let mut exported = Exported { config: cfg, names: Vec::new() };
        exported.visit::<O::Output>();
        O::Output::visit_generics(&mut exported);
        O::Output::visit_dependencies(&mut exported);
        for name in exported.names {
            if mentioned.contains(name.as_str()) {
                self.imports.insert(name);
            }
        }
        let _ = writeln!(
            self.entries,
            "  /** {} */\n  {}: {{ args: {args}; output: {output} }};",
            O::SUMMARY.trim(),
            O::NAME
        );
        let _ = writeln!(self.sessions, "  {}: {},", O::NAME, O::NEEDS_SESSION);
    }
}

/// The names of exported types (those with a file of their own) it is shown.
struct Exported<'a> {
    config: &'a Config,
    names: Vec<String>,
}

impl TypeVisitor for Exported<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_some() {
            self.names.push(T::name(self.config));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// Writes the file where ts-rs writes the types (TS_RS_EXPORT_DIR).
    #[test]
    fn export_operations_ts() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap();
        std::fs::write(std::path::Path::new(&dir).join("operations.ts"), super::operations_ts()).unwrap();
    }
}
