//! The desktop shell's own commands are listed by hand in four places the compiler can't
//! compare: its invoke handler, `build.rs` (the app manifest), the capability file and the
//! UI's `backend.ts`. These tests fail when one of them drifts. (Operations need no such
//! check: they all travel through the shell's `call` command, and the TypeScript compiler
//! checks `backend.ts` against the generated `operations.ts`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::{OperationVisitor, Run};

fn workspace_file(path: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|err| panic!("{}: {err}", file.display()))
}

/// The quoted names between `start` and the next `end` in `text`.
fn quoted_between(text: &str, start: &str, end: &str) -> Vec<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not found"));
    let block = &text[from..];
    let block = &block[..block.find(end).unwrap()];
    block.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

/// Every `word("name"` or `word<Type>("name"` in `text`: call sites like
/// `op("list_sessions", …)` or `call<AppState>("app_state")`.
fn call_sites(text: &str, word: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices(word) {
        if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let mut rest = &text[at + word.len()..];
        if rest.starts_with('<') {
            let Some(close) = rest.find(">(") else { continue };
            rest = &rest[close + 1..];
        }
        if let Some(quoted) = rest.strip_prefix("(\"") {
            names.insert(quoted[..quoted.find('"').unwrap()].to_owned());
        }
    }
    names
}

fn shell_commands() -> Vec<String> {
    quoted_between(&workspace_file("src-tauri/build.rs"), "const COMMANDS", "];")
}

#[test]
fn the_handler_lists_exactly_the_manifests_commands() {
    let handler = workspace_file("src-tauri/src/commands/mod.rs");
    let from = handler.find("generate_handler![").unwrap();
    let block = &handler[from + "generate_handler![".len()..];
    let listed: Vec<String> = block[..block.find(']').unwrap()]
        .split(',')
        .map(|path| path.trim().rsplit("::").next().unwrap().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    assert_eq!(listed, shell_commands());
}

#[test]
fn the_capability_grants_exactly_the_manifests_commands() {
    let capability: serde_json::Value = serde_json::from_str(&workspace_file("capabilities/main.json")).unwrap();
    let (core, granted): (Vec<String>, Vec<String>) = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|permission| permission.as_str().unwrap().to_owned())
        .partition(|permission| permission.starts_with("core:"));
    let expected: Vec<String> =
        shell_commands().iter().map(|command| format!("allow-{}", command.replace('_', "-"))).collect();
    assert_eq!(granted, expected);
    // Beyond its own commands the window may only listen to the shell's events.
    assert_eq!(core, ["core:event:allow-listen", "core:event:allow-unlisten"]);
}

#[test]
fn the_ui_calls_only_commands_and_operations_that_exist() {
    let backend = workspace_file("ui/src/lib/backend.ts");
    let invoked = call_sites(&backend, "call");
    let commands: BTreeSet<String> = shell_commands().into_iter().collect();
    let unknown: Vec<_> = invoked.difference(&commands).collect();
    assert!(unknown.is_empty(), "backend.ts calls commands the shell doesn't have: {unknown:?}");
    let unused: Vec<_> = commands.difference(&invoked).collect();
    assert!(unused.is_empty(), "the shell has commands backend.ts never calls: {unused:?}");

    struct Names(BTreeSet<&'static str>);
    impl OperationVisitor for Names {
        fn visit<O: Run>(&mut self) {
            self.0.insert(O::NAME);
        }
    }
    let mut table = Names(BTreeSet::new());
    crate::visit_operations(&mut table);
    let held = quoted_between(&workspace_file("src-tauri/src/commands/mod.rs"), "HELD_BY_THE_SHELL", "];");
    for operation in call_sites(&backend, "op") {
        assert!(table.0.contains(operation.as_str()), "backend.ts runs {operation}, which the table doesn't have");
        assert!(!held.contains(&operation), "{operation} must go through the shell's own command, not `call`");
    }
    for operation in &held {
        assert!(table.0.contains(operation.as_str()), "HELD_BY_THE_SHELL names {operation}, not in the table");
    }
}
