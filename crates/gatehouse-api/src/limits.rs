//! The lengths and ranges the core accepts, for the UI's fields: written to
//! `ui/src/lib/generated/limits.ts` by this crate's tests (as ts-rs writes the types), so the
//! UI never hand-copies a number the core decides.

use gatehouse_core as core;

/// Each limit: its TypeScript name and value.
pub const LIMITS: [(&str, usize); 8] = [
    ("LABEL_MAX_CHARS", core::LABEL_MAX_CHARS),
    ("NOTE_MAX_CHARS", core::NOTE_MAX_CHARS),
    ("NAME_MAX_CHARS", core::NAME_MAX_CHARS),
    ("DEVICE_NAME_MAX_CHARS", core::DEVICE_NAME_MAX_CHARS),
    ("PASSWORD_MIN_CHARS", core::PASSWORD_MIN_CHARS),
    ("PASSWORD_MAX_CHARS", core::PASSWORD_MAX_CHARS),
    ("CODE_INPUT_MAX_CHARS", core::totp::CODE_INPUT_MAX_CHARS),
    ("ANSWER_INPUT_MAX_CHARS", core::ANSWER_INPUT_MAX_CHARS),
];

/// Each numeric policy setting's accepted values, by its field in `PolicyView`.
pub const POLICY_RANGES: [(&str, std::ops::RangeInclusive<u32>); 14] = {
    use core::policy_ranges::*;
    [
        ("sessionIdleMinutes", SESSION_IDLE_MINUTES),
        ("sessionAbsoluteMinutes", SESSION_ABSOLUTE_MINUTES),
        ("idleLockMinutes", IDLE_LOCK_MINUTES),
        ("lockoutThreshold", LOCKOUT_THRESHOLD),
        ("lockoutMinutes", LOCKOUT_MINUTES),
        ("ipLockoutThreshold", IP_LOCKOUT_THRESHOLD),
        ("hardLockoutThreshold", HARD_LOCKOUT_THRESHOLD),
        ("stepUpMinutes", STEP_UP_MINUTES),
        ("addressCoolingOffMinutes", ADDRESS_COOLING_OFF_MINUTES),
        ("failureBurstThreshold", FAILURE_BURST_THRESHOLD),
        ("failureBurstMinutes", FAILURE_BURST_MINUTES),
        ("newPlaceDays", NEW_PLACE_DAYS),
        ("impossibleTravelKmh", IMPOSSIBLE_TRAVEL_KMH),
        ("protectionChangeDelayMinutes", PROTECTION_CHANGE_DELAY_MINUTES),
    ]
};

/// The TypeScript module holding [`LIMITS`].
pub fn typescript() -> String {
    let mut out = String::from("// Generated from gatehouse-api's limits.rs (the core's limits). Do not edit.\n\n");
    for (name, value) in LIMITS {
        out.push_str(&format!("export const {name} = {value};\n"));
    }
    out.push_str("\n/** Each numeric policy setting's [least, most], by its field in PolicyView. */\n");
    out.push_str("export const POLICY_RANGES = {\n");
    for (field, range) in POLICY_RANGES {
        out.push_str(&format!("  {field}: [{}, {}],\n", range.start(), range.end()));
    }
    out.push_str("} as const;\n");
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
        assert!(written.contains(&format!("  hardLockoutThreshold: [3, {}],", gatehouse_core::HARD_LOCKOUT_MAX)));
    }

    /// Every numeric field of the policy has its range, under its own name.
    #[test]
    fn every_numeric_policy_field_has_a_range() {
        let policy = serde_json::to_value(crate::PolicyView::from(&gatehouse_core::Policy::default())).expect("json");
        let numeric: Vec<&String> =
            policy.as_object().expect("object").iter().filter(|(_, v)| v.is_number()).map(|(k, _)| k).collect();
        let ranged: Vec<&str> = super::POLICY_RANGES.iter().map(|(field, _)| *field).collect();
        assert_eq!(numeric.len(), ranged.len(), "{numeric:?} vs {ranged:?}");
        assert!(numeric.iter().all(|field| ranged.contains(&field.as_str())), "{numeric:?} vs {ranged:?}");
    }
}
