//! EIP-55 test cases (ethereum/EIPs, EIP-55 "Test Cases": all caps, all lower, normal).

use gatehouse_chains::{AddressFormat, Network, code};

use crate::{refused, valid};

/// Addresses whose EIP-55 form happens to be all capitals.
const ALL_CAPS: [&str; 2] =
    ["0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D"];
/// Addresses whose EIP-55 form happens to be all small letters.
const ALL_LOWER: [&str; 2] =
    ["0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"];
/// Mixed case, as EIP-55 usually looks.
const NORMAL: [&str; 4] = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
];

const LOWER_NOTE: &str = "All lowercase: this address carries no EIP-55 checksum, so typos cannot be detected.";
const UPPER_NOTE: &str = "All uppercase: this address carries no EIP-55 checksum, so typos cannot be detected.";

#[test]
fn every_eip55_test_case_is_valid_as_it_is_on_both_evm_networks() {
    for network in [Network::Ethereum, Network::Bsc] {
        for address in ALL_CAPS.iter().chain(&ALL_LOWER).chain(&NORMAL) {
            let checked = valid(network, address);
            assert_eq!(checked.address, *address);
            assert_eq!(checked.format, AddressFormat::Evm);
            assert!(checked.notes.is_empty(), "{address} is its own EIP-55 form: {:?}", checked.notes);
        }
    }
}

#[test]
fn one_case_input_is_canonicalised_to_eip55_with_a_note() {
    for address in NORMAL {
        let lower = format!("0x{}", address[2..].to_ascii_lowercase());
        let checked = valid(Network::Ethereum, &lower);
        assert_eq!(checked.address, address);
        assert_eq!(checked.notes, vec![LOWER_NOTE.to_owned()]);

        let upper = format!("0x{}", address[2..].to_ascii_uppercase());
        let checked = valid(Network::Bsc, &upper);
        assert_eq!(checked.address, address);
        assert_eq!(checked.notes, vec![UPPER_NOTE.to_owned()]);
    }
    // An all-caps or all-lower EIP-55 case written in the other case is canonicalised back.
    let checked = valid(Network::Ethereum, &ALL_CAPS[0].to_ascii_lowercase());
    assert_eq!(checked.address, ALL_CAPS[0]);
}

#[test]
fn flipping_the_case_of_one_letter_breaks_the_checksum() {
    for address in NORMAL {
        for (index, character) in address.char_indices().skip(2).filter(|(_, c)| c.is_ascii_alphabetic()) {
            let flipped: String = address
                .char_indices()
                .map(|(i, c)| {
                    if i == index {
                        if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() }
                    } else {
                        c
                    }
                })
                .collect();
            let err = refused(Network::Ethereum, &flipped);
            assert_eq!(err.code, code::CHECKSUM, "{flipped} (flipped {character})");
            assert!(err.reason.starts_with("The EIP-55 checksum does not match: "), "{}", err.reason);
        }
    }
}

#[test]
fn length_prefix_and_characters_are_explained() {
    let short = refused(Network::Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe");
    assert_eq!(short.code, code::LENGTH);
    assert_eq!(short.reason, "An Ethereum address has 40 hexadecimal digits after 0x; this one has 39.");

    let bsc_long = refused(Network::Bsc, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0");
    assert_eq!(bsc_long.reason, "A BNB Smart Chain address has 40 hexadecimal digits after 0x; this one has 41.");

    let missing_0x = refused(Network::Ethereum, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    assert_eq!(missing_0x.code, code::PREFIX);
    assert_eq!(missing_0x.reason, "An Ethereum address starts with 0x; this one is missing it.");

    let not_hex = refused(Network::Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg");
    assert_eq!(not_hex.code, code::CHARSET);
    assert!(not_hex.reason.contains("“g”"), "{}", not_hex.reason);
}

#[test]
fn the_zero_address_is_refused_as_a_burn_address() {
    let err = refused(Network::Ethereum, "0x0000000000000000000000000000000000000000");
    assert_eq!(err.code, code::BURN);
}
