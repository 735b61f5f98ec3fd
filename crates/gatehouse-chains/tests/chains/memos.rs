//! Memos and destination tags.

use gatehouse_chains::{MemoKind, Network, TON_MEMO_MAX_CHARS, code, validate_memo};

#[test]
fn memo_kinds() {
    assert_eq!(Network::Xrp.memo_kind(), MemoKind::DestinationTag);
    assert_eq!(Network::Ton.memo_kind(), MemoKind::Text);
    assert_eq!(MemoKind::DestinationTag.label(), Some("Destination tag"));
    assert_eq!(MemoKind::Text.label(), Some("Memo"));
    for network in Network::ALL.into_iter().filter(|n| !matches!(n, Network::Xrp | Network::Ton)) {
        assert_eq!(network.memo_kind(), MemoKind::NotUsed);
        assert!(!network.memo_kind().is_used());
        assert_eq!(network.memo_kind().label(), None);
    }
}

#[test]
fn no_memo_is_fine_everywhere() {
    for network in Network::ALL {
        assert_eq!(validate_memo(network, None), Ok(None));
        assert_eq!(validate_memo(network, Some("")), Ok(None));
        assert_eq!(validate_memo(network, Some("  \t")), Ok(None));
    }
}

#[test]
fn networks_without_memos_refuse_one() {
    let err = validate_memo(Network::Bitcoin, Some("12345")).unwrap_err();
    assert_eq!(err.code, code::MEMO);
    assert_eq!(err.reason, "Bitcoin has no memo or destination tag: leave it empty.");
    let err = validate_memo(Network::Bsc, Some("memo")).unwrap_err();
    assert_eq!(err.reason, "BNB Smart Chain has no memo or destination tag: leave it empty.");
}

#[test]
fn xrp_destination_tags() {
    let ok = |tag: &str| validate_memo(Network::Xrp, Some(tag)).unwrap();
    assert_eq!(ok("12345"), Some("12345".to_owned()));
    assert_eq!(ok("0"), Some("0".to_owned()));
    assert_eq!(ok("4294967295"), Some("4294967295".to_owned()));
    assert_eq!(ok(" 00042 "), Some("42".to_owned()));
    assert_eq!(ok("000"), Some("0".to_owned()));
    for bad in ["4294967296", "99999999999999999999999", "-1", "+1", "1.5", "1e3", "abc", "12 34", "١٢"] {
        let err = validate_memo(Network::Xrp, Some(bad)).unwrap_err();
        assert_eq!(err.code, code::MEMO, "{bad}");
        assert!(err.reason.contains("4294967295"), "{bad}: {}", err.reason);
    }
}

#[test]
fn ton_memos() {
    let ok = |memo: &str| validate_memo(Network::Ton, Some(memo)).unwrap();
    assert_eq!(ok("Invoice 2024-17, thanks!"), Some("Invoice 2024-17, thanks!".to_owned()));
    assert_eq!(ok("  123456  "), Some("123456".to_owned()));
    let longest = "m".repeat(TON_MEMO_MAX_CHARS);
    assert_eq!(ok(&longest), Some(longest.clone()));

    let too_long = validate_memo(Network::Ton, Some(&"m".repeat(121))).unwrap_err();
    assert_eq!(too_long.code, code::MEMO);
    assert_eq!(too_long.reason, "A TON memo has at most 120 characters; this one has 121.");
    for bad in ["tab\there", "line\nbreak", "café", "zero\u{200B}width", "bell\u{7}"] {
        let err = validate_memo(Network::Ton, Some(bad)).unwrap_err();
        assert_eq!(err.code, code::MEMO, "{bad:?}");
        assert!(err.reason.contains("U+"), "{bad:?}: {}", err.reason);
    }
}
