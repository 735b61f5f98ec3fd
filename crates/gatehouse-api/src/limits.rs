//! The lengths the core accepts, for the UI's fields: written to
//! `ui/src/lib/generated/limits.ts` by this crate's tests (as ts-rs writes the types), so the
//! UI never hand-copies a number the core decides.

use gatehouse_core as core;

/// Each limit: its TypeScript name and value.
pub const LIMITS: [(&str, usize); 6] = [
    ("LABEL_MAX_CHARS", core::LABEL_MAX_CHARS),
    ("NOTE_MAX_CHARS", core::NOTE_MAX_CHARS),
    ("NAME_MAX_CHARS", core::NAME_MAX_CHARS),
    ("DEVICE_NAME_MAX_CHARS", core::DEVICE_NAME_MAX_CHARS),
    ("PASSWORD_MIN_CHARS", core::PASSWORD_MIN_CHARS),
    ("PASSWORD_MAX_CHARS", core::PASSWORD_MAX_CHARS),
];

/// The TypeScript module holding [`LIMITS`].
pub fn typescript() -> String {
    let mut out = String::from("// Generated from gatehouse-api's limits.rs (the core's limits). Do not edit.\n\n");
    for (name, value) in LIMITS {
        out.push_str(&format!("export const {name} = {value};\n"));
    }
    out
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    /// Writes `limits.ts` beside ts-rs's bindings (`TS_RS_EXPORT_DIR`: .cargo/config.toml
    /// makes it an absolute path).
    #[test]
    fn export_limits() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").expect("TS_RS_EXPORT_DIR is set in .cargo/config.toml");
        let path = std::path::Path::new(&dir).join("limits.ts");
        std::fs::write(&path, super::typescript()).expect("the bindings folder is writable");
        let written = std::fs::read_to_string(&path).expect("just written");
        assert!(written.contains(&format!("export const NOTE_MAX_CHARS = {};", gatehouse_core::NOTE_MAX_CHARS)));
    }
}
