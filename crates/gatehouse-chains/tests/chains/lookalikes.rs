//! Address-poisoning detection.

use gatehouse_chains::lookalike;

/// `start`, then `filler` up to `length` characters, then `end`.
fn forged(start: &str, filler: char, end: &str, length: usize) -> String {
    format!("{start}{}{end}", filler.to_string().repeat(length - start.len() - end.len()))
}

#[test]
fn a_poisoned_evm_address_is_detected_with_its_ranges() {
    let saved = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    let poisoned = &forged("0x5aAe", '0', "eAed", 42);
    assert_eq!(poisoned.len(), saved.len());
    let found = lookalike(poisoned, saved).unwrap();
    assert_eq!(found.shared_start, "0x5aAe");
    assert_eq!(found.shared_end, "eAed");
    assert_eq!(found.candidate_middle, 6..38);
    assert_eq!(found.saved_middle, 6..38);
    assert_eq!(&saved[found.saved_middle.clone()], "b6053F3E94C9b9A09f33669435E7Ef1B");
}

#[test]
fn evm_is_compared_ignoring_case() {
    let saved = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    let poisoned = &forged("0x5AAE", '1', "EAED", 42);
    assert!(lookalike(poisoned, saved).is_some());
    // The same address in another case is the same address, not a look-alike.
    assert_eq!(lookalike(&saved.to_ascii_lowercase(), saved), None);
}

#[test]
fn longer_shared_runs_are_reported_in_full() {
    let saved = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    let poisoned = &forged("TR7NHqj", 'X', "Lj6t", 34);
    let found = lookalike(poisoned, saved).unwrap();
    assert_eq!(found.shared_start, "TR7NHqj");
    assert_eq!(found.shared_end, "Lj6t");
    assert_eq!(found.candidate_middle, 7..30);
    assert_eq!(found.saved_middle, 7..30);
}

#[test]
fn the_network_prefix_does_not_count_as_significant() {
    let saved = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    // T + 3 significant characters and the last 4 match: not enough.
    assert_eq!(lookalike(&forged("TR7N", 'x', "Lj6t", 34), saved), None);
    // bc1q + 4 data characters is needed for segwit.
    let segwit = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    assert!(lookalike(&forged("bc1qar0s", 'x', "5mdq", 42), segwit).is_some());
    assert_eq!(lookalike(&forged("bc1qar0", 'x', "5mdq", 42), segwit), None);
    assert!(lookalike(&forged("BC1QAR0S", 'X', "5MDQ", 42), segwit).is_some());
    // XRP: r is the prefix.
    let xrp = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
    assert!(lookalike(&forged("rHb9C", 'z', "dtyTh", 34), xrp).is_some());
    assert_eq!(lookalike(&forged("rHb9", 'z', "dtyTh", 34), xrp), None);
}

#[test]
fn base58_is_compared_with_case() {
    let saved = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    assert_eq!(lookalike(&forged("Tr7nh", 'X', "Lj6t", 34), saved), None);
}

#[test]
fn solana_keys_are_all_significant() {
    let saved = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    let found = lookalike(&forged("EPjF", '1', "yTDt1v", 44), saved).unwrap();
    assert_eq!(found.shared_start, "EPjF");
    assert_eq!(found.shared_end, "yTDt1v");
}

#[test]
fn identical_unrelated_and_cross_kind_addresses_are_not_flagged() {
    let saved = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    assert_eq!(lookalike(saved, saved), None);
    assert_eq!(lookalike("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", saved), None);
    assert_eq!(lookalike("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"), None);
    assert_eq!(lookalike("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", saved), None);
    // Start matches but the end does not.
    assert_eq!(lookalike("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAee", saved), None);
    // Too short to say anything.
    assert_eq!(lookalike("0x5aAe", "0x5aAe"), None);
    assert_eq!(lookalike("", ""), None);
}

#[test]
fn ranges_point_into_the_strings_as_given() {
    let saved = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    let found = lookalike(&format!("  {}\n", forged("TR7NHqj", 'X', "Lj6t", 34)), saved).unwrap();
    assert_eq!(found.candidate_middle, 9..32);
    assert_eq!(found.saved_middle, 7..30);
}
