//! The test vectors of BIP-173 and BIP-350 (bitcoin/bips, "Test vectors" sections), copied verbatim.

use bech32::primitives::decode::{CheckedHrpstring, SegwitHrpstring};
use bech32::{Bech32, Bech32m};
use gatehouse_chains::{AddressFormat, Network, code};

use crate::{hex, refused, valid};

/// BIP-173 "The following strings are valid Bech32".
const BIP173_VALID_BECH32: [&str; 7] = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
];

/// BIP-350 "The following strings are valid Bech32m".
const BIP350_VALID_BECH32M: [&str; 7] = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
];

/// BIP-173 "The following string are not valid Bech32".
const BIP173_INVALID_BECH32: [&str; 12] = [
    "\u{20}1nwldj5",
    "\u{7F}1axkwrx",
    "\u{80}1eym55h",
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "pzry9x0s0muk",
    "1pzry9x0s0muk",
    "x1b4n0q5v",
    "li1dgmt3",
    "de1lg7wt\u{FF}",
    "A1G7SGD8",
    "10a06t8",
    "1qzzfhee",
];

/// BIP-350 "The following string are not valid Bech32m".
const BIP350_INVALID_BECH32M: [&str; 14] = [
    "\u{20}1xj0phk",
    "\u{7F}1g6xzxy",
    "\u{80}1vctc34",
    "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
    "qyrz8wqd2c9m",
    "1qyrz8wqd2c9m",
    "y1b0jsk6g",
    "lt1igcx5c0",
    "in1muywd",
    "mm1crxm3i",
    "au1s5cgom",
    "M1VUXWEZ",
    "16plkw9",
    "1p2gdwpf",
];

/// BIP-173's valid segwit addresses and their scriptPubKeys.
const BIP173_VALID_ADDRESSES: [(&str, &str); 6] = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QA3JX3S", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
];

/// BIP-350's valid segwit addresses and their scriptPubKeys.
const BIP350_VALID_ADDRESSES: [(&str, &str); 8] = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
];

/// BIP-173's invalid segwit addresses, with the code Gatehouse gives for the BIP's reason.
const BIP173_INVALID_ADDRESSES: [(&str, &str); 10] = [
    ("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", code::PREFIX), // Invalid human-readable part
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", code::CHECKSUM), // Invalid checksum
    ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", code::WITNESS_VERSION), // Invalid witness version
    ("bc1rw5uspcuh", code::WITNESS_PROGRAM),                      // Invalid program length
    ("bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", code::WITNESS_PROGRAM), // Invalid program length
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", code::WITNESS_PROGRAM), // Invalid program length for v0
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", code::MIXED_CASE), // Mixed case
    ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", code::WITNESS_PROGRAM), // zero padding of more than 4 bits
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", code::WITNESS_PROGRAM), // Non-zero padding
    ("bc1gmk9yu", code::LENGTH),                                     // Empty data section
];

/// BIP-350's invalid segwit addresses, with the code Gatehouse gives for the BIP's reason.
const BIP350_INVALID_ADDRESSES: [(&str, &str); 15] = [
    ("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", code::PREFIX), // Invalid human-readable part
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", code::BECH32M_REQUIRED), // Bech32 instead of Bech32m
    ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", code::BECH32M_REQUIRED), // Bech32 instead of Bech32m
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", code::BECH32M_REQUIRED), // Bech32 instead of Bech32m
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", code::BECH32_REQUIRED), // Bech32m instead of Bech32
    ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", code::BECH32_REQUIRED), // Bech32m instead of Bech32
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", code::CHARSET), // Invalid character in checksum
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", code::WITNESS_VERSION), // Invalid witness version
    ("bc1pw5dgrnzv", code::WITNESS_PROGRAM), // Invalid program length (1 byte)
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", code::WITNESS_PROGRAM), // 41 bytes
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", code::WITNESS_PROGRAM), // Invalid program length for v0
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", code::MIXED_CASE), // Mixed case
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", code::WITNESS_PROGRAM), // zero padding > 4 bits
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", code::WITNESS_PROGRAM),   // Non-zero padding
    ("bc1gmk9yu", code::LENGTH),                                                                 // Empty data section
];

/// The scriptPubKey a segwit program pays to: OP_n, push, program.
fn script_pubkey(version: u8, program: &[u8]) -> Vec<u8> {
    let mut script = vec![if version == 0 { 0 } else { 0x50 + version }, u8::try_from(program.len()).unwrap()];
    script.extend_from_slice(program);
    script
}

#[test]
fn the_copied_checksum_strings_are_what_the_bips_say() {
    for string in BIP173_VALID_BECH32 {
        assert!(CheckedHrpstring::new::<Bech32>(string).is_ok(), "{string} is valid Bech32");
        assert!(CheckedHrpstring::new::<Bech32m>(string).is_err(), "{string} is not Bech32m");
    }
    for string in BIP350_VALID_BECH32M {
        assert!(CheckedHrpstring::new::<Bech32m>(string).is_ok(), "{string} is valid Bech32m");
        assert!(CheckedHrpstring::new::<Bech32>(string).is_err(), "{string} is not Bech32");
    }
    for string in BIP173_INVALID_BECH32 {
        assert!(CheckedHrpstring::new::<Bech32>(string).is_err(), "{string:?} is not valid Bech32");
    }
    for string in BIP350_INVALID_BECH32M {
        assert!(CheckedHrpstring::new::<Bech32m>(string).is_err(), "{string:?} is not valid Bech32m");
    }
}

#[test]
fn checksum_strings_that_are_not_addresses_are_refused_everywhere() {
    let all = BIP173_VALID_BECH32
        .iter()
        .chain(&BIP350_VALID_BECH32M)
        .chain(&BIP173_INVALID_BECH32)
        .chain(&BIP350_INVALID_BECH32M);
    for string in all {
        for network in Network::ALL {
            assert!(gatehouse_chains::validate(network, string).is_err(), "{string:?} on {network}");
        }
    }
}

#[test]
fn the_copied_segwit_addresses_decode_to_the_bips_script_pubkeys() {
    for (address, script) in BIP350_VALID_ADDRESSES {
        let segwit = SegwitHrpstring::new(address).unwrap();
        let program: Vec<u8> = segwit.byte_iter().collect();
        assert_eq!(script_pubkey(segwit.witness_version().to_u8(), &program), hex(script), "{address}");
    }
    // BIP-173 predates Bech32m: its version 1+ addresses carry a Bech32 checksum.
    for (address, script) in BIP173_VALID_ADDRESSES {
        let segwit = SegwitHrpstring::new_bech32(address).unwrap();
        let program: Vec<u8> = segwit.byte_iter().collect();
        assert_eq!(script_pubkey(segwit.witness_version().to_u8(), &program), hex(script), "{address}");
    }
}

#[test]
fn bip350_valid_addresses_mainnet_v0_and_taproot_are_saved_lowercase() {
    let p2wpkh = valid(Network::Bitcoin, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4");
    assert_eq!(p2wpkh.address, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    assert_eq!(p2wpkh.format, AddressFormat::P2wpkh);
    assert!(p2wpkh.notes.is_empty());

    let p2tr = valid(Network::Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
    assert_eq!(p2tr.address, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
    assert_eq!(p2tr.format, AddressFormat::P2tr);
}

#[test]
fn bip350_valid_testnet_addresses_are_refused_as_testnet() {
    for (address, _) in BIP350_VALID_ADDRESSES.iter().filter(|(address, _)| address.starts_with("tb1")) {
        let err = refused(Network::Bitcoin, address);
        assert_eq!(err.code, code::TESTNET, "{address}");
        assert_eq!(err.reason, "This is a testnet address; only mainnet addresses can be saved.");
    }
}

#[test]
fn bip350_valid_future_segwit_addresses_are_refused_with_the_reason() {
    // Decision: witness versions 2–16 and non-32-byte version 1 programs are valid per BIP-350 but not in use.
    let v16 = refused(Network::Bitcoin, "BC1SW50QGDZ25J");
    assert_eq!(v16.code, code::WITNESS_VERSION);
    assert!(v16.reason.contains("witness version 16"), "{}", v16.reason);
    assert!(v16.reason.contains("not in use"), "{}", v16.reason);

    let v2 = refused(Network::Bitcoin, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs");
    assert_eq!(v2.code, code::WITNESS_VERSION);

    let v1_40_bytes =
        refused(Network::Bitcoin, "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y");
    assert_eq!(v1_40_bytes.code, code::WITNESS_PROGRAM);
    assert!(v1_40_bytes.reason.contains("32 bytes"), "{}", v1_40_bytes.reason);
}

#[test]
fn bip173_valid_v1_plus_addresses_now_need_bech32m() {
    // BIP-350 replaced BIP-173's checksum for witness versions 1 and up.
    for address in [
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
        "BC1SW50QA3JX3S",
        "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
    ] {
        assert_eq!(refused(Network::Bitcoin, address).code, code::BECH32M_REQUIRED, "{address}");
    }
    let taproot =
        refused(Network::Bitcoin, "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx");
    assert!(taproot.reason.starts_with("Bech32m is required for witness version 1 (Taproot) addresses"));
    // Its version 0 addresses are unchanged.
    assert_eq!(valid(Network::Bitcoin, BIP173_VALID_ADDRESSES[0].0).format, AddressFormat::P2wpkh);
    for (address, _) in BIP173_VALID_ADDRESSES.iter().filter(|(address, _)| address.starts_with("tb1")) {
        assert_eq!(refused(Network::Bitcoin, address).code, code::TESTNET, "{address}");
    }
}

#[test]
fn every_invalid_bip_address_is_refused_with_the_bips_reason() {
    for (address, expected) in BIP173_INVALID_ADDRESSES.iter().chain(&BIP350_INVALID_ADDRESSES) {
        let err = refused(Network::Bitcoin, address);
        assert_eq!(err.code, *expected, "{address}: {}", err.reason);
    }
}

#[test]
fn the_wrong_checksum_variant_is_named() {
    let v0 = refused(Network::Bitcoin, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh");
    assert_eq!(v0.reason, "Bech32 is required for witness version 0 addresses; this one uses the Bech32m checksum.");
    let v1 = refused(Network::Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd");
    assert_eq!(
        v1.reason,
        "Bech32m is required for witness version 1 (Taproot) addresses; this one uses the older Bech32 checksum."
    );
}
