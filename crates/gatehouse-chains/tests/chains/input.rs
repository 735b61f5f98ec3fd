//! Input hygiene: trimming, whitespace and invisible characters, empty input.

use gatehouse_chains::{Network, code, validate};

use crate::{refused, valid};

#[test]
fn surrounding_whitespace_is_trimmed() {
    let checked = valid(Network::Bitcoin, "  1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa \n");
    assert_eq!(checked.address, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    assert_eq!(
        valid(Network::Ethereum, "\t0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\r\n").address,
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    );
}

#[test]
fn whitespace_inside_is_refused() {
    let err = refused(Network::Bitcoin, "1A1zP1eP5QGe fi2DMPTfTL5SLmv7DivfNa");
    assert_eq!(err.code, code::WHITESPACE);
    assert_eq!(err.reason, "The address contains a space or line break inside.");
    for input in [
        "1A1zP1eP5QGe\nfi2DMPTfTL5SLmv7DivfNa",
        "1A1zP1eP5QGe\u{A0}fi2DMPTfTL5SLmv7DivfNa",
        "1A1zP1eP5QGe\u{0}fi2DMPTfTL5SLmv7DivfNa",
    ] {
        assert_eq!(refused(Network::Bitcoin, input).code, code::WHITESPACE, "{input:?}");
    }
}

#[test]
fn invisible_characters_are_refused_anywhere() {
    for input in [
        "1A1zP1eP5QGe\u{200B}fi2DMPTfTL5SLmv7DivfNa",
        "\u{FEFF}1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\u{202E}",
    ] {
        let err = refused(Network::Bitcoin, input);
        assert_eq!(err.code, code::INVISIBLE, "{input:?}");
        assert!(err.reason.contains("U+"), "{}", err.reason);
    }
}

#[test]
fn empty_input_is_refused_on_every_network() {
    for network in Network::ALL {
        for input in ["", "   ", "\n\t"] {
            let err = validate(network, input).unwrap_err();
            assert_eq!(err.code, code::EMPTY);
            assert_eq!(err.to_string(), "No address was entered.");
        }
    }
}

#[test]
fn very_long_input_is_refused_before_decoding() {
    let err = refused(Network::Solana, &"1".repeat(10_000));
    assert_eq!(err.code, code::LENGTH);
}

#[test]
fn error_display_is_the_reason() {
    let err = refused(Network::Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb");
    assert_eq!(err.to_string(), err.reason);
}
