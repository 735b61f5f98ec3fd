//! Known-good mainnet addresses for every network and format, and one checksum, wrong-network and testnet
//! failure for each.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use bech32::Hrp;
use crc::{CRC_16_XMODEM, Crc};
use gatehouse_chains::{AddressFormat, Network, code};

use crate::{base58check, hex, refused, valid};

/// HASH160 of the public key behind the Bitcoin genesis address 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.
const GENESIS_HASH160: &str = "62e907b15cbf27d5425399ebf6f0fb50ebb88f18";
/// BIP-173's example witness program (P2WPKH of the secp256k1 generator's key).
const BIP173_PROGRAM: &str = "751e76e8199196d454941c45d1b3a323f1433bd6";
/// BIP-350's example Taproot output key (the secp256k1 generator's x coordinate).
const BIP350_TAPROOT_KEY: &str = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

/// Replaces the character at `index` with `with`.
fn replace_at(text: &str, index: usize, with: char) -> String {
    text.char_indices().map(|(i, c)| if i == index { with } else { c }).collect()
}

fn assert_wrong_network(network: Network, input: &str, reason: &str) {
    let err = refused(network, input);
    assert_eq!(err.code, code::WRONG_NETWORK, "{input} on {network}: {}", err.reason);
    assert_eq!(err.reason, reason);
}

fn assert_code(network: Network, input: &str, expected: &str) {
    let err = refused(network, input);
    assert_eq!(err.code, expected, "{input} on {network}: {}", err.reason);
}

#[test]
fn bitcoin_known_good() {
    let genesis = valid(Network::Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    assert_eq!(genesis.format, AddressFormat::P2pkh);
    assert_eq!(genesis.address, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    assert_eq!(base58check(0x00, &hex(GENESIS_HASH160)), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");

    assert_eq!(valid(Network::Bitcoin, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").format, AddressFormat::P2sh);
    assert_eq!(valid(Network::Bitcoin, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").format, AddressFormat::P2wpkh);
    assert_eq!(valid(Network::Bitcoin, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").format, AddressFormat::P2wpkh);
    // BIP-173's mainnet P2WSH example.
    assert_eq!(
        valid(Network::Bitcoin, "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3").format,
        AddressFormat::P2wsh
    );
    assert_eq!(
        valid(Network::Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0").format,
        AddressFormat::P2tr
    );
}

#[test]
fn bitcoin_known_bad() {
    let flipped = refused(Network::Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb");
    assert_eq!(flipped.code, code::CHECKSUM);
    assert_eq!(flipped.reason, "The checksum does not match: a character is wrong or missing.");
    assert_code(Network::Bitcoin, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", code::CHECKSUM);

    let litecoin = base58check(0x30, &hex(GENESIS_HASH160));
    assert_wrong_network(Network::Bitcoin, &litecoin, "This is a Litecoin address, pasted into Bitcoin.");
    assert_wrong_network(
        Network::Bitcoin,
        "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9",
        "This is a Litecoin address, pasted into Bitcoin.",
    );

    let testnet = refused(Network::Bitcoin, &base58check(0x6F, &hex(GENESIS_HASH160)));
    assert_eq!(testnet.code, code::TESTNET);
    assert_eq!(testnet.reason, "This is a testnet address; only mainnet addresses can be saved.");
    assert_code(Network::Bitcoin, &base58check(0xC4, &hex(GENESIS_HASH160)), code::TESTNET);
    let regtest = bech32::segwit::encode_v0(Hrp::parse("bcrt").unwrap(), &hex(BIP173_PROGRAM)).unwrap();
    assert_code(Network::Bitcoin, &regtest, code::TESTNET);

    let wrong_character = refused(Network::Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a");
    assert_eq!(wrong_character.code, code::CHARSET);
    assert!(wrong_character.reason.contains("“0”"), "{}", wrong_character.reason);
    assert_code(Network::Bitcoin, "1111111111111111111114oLvT2", code::BURN);
}

#[test]
fn litecoin_known_good() {
    let hash = hex(GENESIS_HASH160);
    let p2pkh = base58check(0x30, &hash);
    assert_eq!(p2pkh, "LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQF");
    assert!(p2pkh.starts_with('L'));
    assert_eq!(valid(Network::Litecoin, &p2pkh).format, AddressFormat::P2pkh);

    let p2sh = base58check(0x32, &hash);
    assert_eq!(p2sh, "MGv9cSYnaRSTZNzYaN7bhbgmozoGkKBvCn");
    assert!(p2sh.starts_with('M'));
    let checked = valid(Network::Litecoin, &p2sh);
    assert_eq!(checked.format, AddressFormat::P2sh);
    assert!(checked.notes.is_empty());

    // The old 3… P2SH form is valid on both Bitcoin and Litecoin: valid for whichever was chosen.
    let shared = base58check(0x05, &hash);
    assert_eq!(shared, "3Ai1JZ8pdJb2ksieUV8FsxSNVJCpoPi8W6");
    let on_litecoin = valid(Network::Litecoin, &shared);
    assert_eq!(on_litecoin.format, AddressFormat::P2sh);
    assert_eq!(on_litecoin.notes.len(), 1);
    assert!(on_litecoin.notes[0].contains("same form Bitcoin uses"), "{:?}", on_litecoin.notes);
    assert!(valid(Network::Bitcoin, &shared).notes.is_empty());

    let p2wpkh = bech32::segwit::encode_v0(Hrp::parse("ltc").unwrap(), &hex(BIP173_PROGRAM)).unwrap();
    assert_eq!(p2wpkh, "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9");
    assert_eq!(valid(Network::Litecoin, &p2wpkh).format, AddressFormat::P2wpkh);
    assert_eq!(valid(Network::Litecoin, &p2wpkh.to_ascii_uppercase()).address, p2wpkh);

    let p2tr = bech32::segwit::encode_v1(Hrp::parse("ltc").unwrap(), &hex(BIP350_TAPROOT_KEY)).unwrap();
    assert_eq!(p2tr, "ltc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqpj6zg2");
    assert_eq!(valid(Network::Litecoin, &p2tr).format, AddressFormat::P2tr);
    let p2wsh = bech32::segwit::encode_v0(Hrp::parse("ltc").unwrap(), &hex(BIP350_TAPROOT_KEY)).unwrap();
    assert_eq!(valid(Network::Litecoin, &p2wsh).format, AddressFormat::P2wsh);
}

#[test]
fn litecoin_known_bad() {
    assert_code(Network::Litecoin, &replace_at("LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQF", 10, 'x'), code::CHECKSUM);
    assert_code(Network::Litecoin, "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n8", code::CHECKSUM);
    assert_wrong_network(
        Network::Litecoin,
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "This is a Bitcoin address, pasted into Litecoin.",
    );
    assert_wrong_network(
        Network::Litecoin,
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "This is a Bitcoin address, pasted into Litecoin.",
    );
    let hash = hex(GENESIS_HASH160);
    for version in [0x6F, 0x3A, 0xC4] {
        assert_code(Network::Litecoin, &base58check(version, &hash), code::TESTNET);
    }
    assert!(base58check(0x3A, &hash).starts_with('Q'));
    let testnet = bech32::segwit::encode_v0(Hrp::parse("tltc").unwrap(), &hex(BIP173_PROGRAM)).unwrap();
    assert_code(Network::Litecoin, &testnet, code::TESTNET);
    // The shape of an MWEB address is enough: its prefix is refused before anything is decoded.
    let mweb = refused(Network::Litecoin, &format!("ltcmweb1{}", "q".repeat(110)));
    assert_eq!(mweb.code, code::PREFIX);
    assert!(mweb.reason.contains("MWEB"), "{}", mweb.reason);
}

#[test]
fn dogecoin_known_good() {
    let hash = hex(GENESIS_HASH160);
    let p2pkh = base58check(0x1E, &hash);
    assert_eq!(p2pkh, "DEA5vGb2NpAwCiCp5yTE16F3DueQUVivQp");
    assert!(p2pkh.starts_with('D'));
    assert_eq!(valid(Network::Dogecoin, &p2pkh).format, AddressFormat::P2pkh);

    let p2sh = base58check(0x16, &hash);
    assert_eq!(p2sh, "A1TG3QCihNTvfF67tcng864kBsarnaPyFm");
    assert!(p2sh.starts_with('A') || p2sh.starts_with('9'));
    assert_eq!(valid(Network::Dogecoin, &p2sh).format, AddressFormat::P2sh);
    // The lowest P2SH hash encodes with a 9.
    let low = base58check(0x16, &[0x01; 20]);
    assert!(low.starts_with('9'), "{low}");
    assert_eq!(valid(Network::Dogecoin, &low).format, AddressFormat::P2sh);
}

#[test]
fn dogecoin_known_bad() {
    assert_code(Network::Dogecoin, &replace_at("DEA5vGb2NpAwCiCp5yTE16F3DueQUVivQp", 5, 'H'), code::CHECKSUM);
    assert_wrong_network(
        Network::Dogecoin,
        "LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQF",
        "This is a Litecoin address, pasted into Dogecoin.",
    );
    assert_wrong_network(
        Network::Dogecoin,
        "3Ai1JZ8pdJb2ksieUV8FsxSNVJCpoPi8W6",
        "This is a Bitcoin or Litecoin address, pasted into Dogecoin.",
    );
    let testnet = base58check(0x71, &hex(GENESIS_HASH160));
    assert!(testnet.starts_with('n'));
    assert_code(Network::Dogecoin, &testnet, code::TESTNET);
    assert_code(Network::Dogecoin, &base58check(0xC4, &hex(GENESIS_HASH160)), code::TESTNET);
    let segwit = refused(Network::Dogecoin, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
    assert_eq!(segwit.code, code::WRONG_NETWORK);
}

#[test]
fn evm_wrong_network() {
    // EIP-55 vectors are in eip55.rs; here what else lands in an EVM field.
    assert_wrong_network(
        Network::Ethereum,
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "This is a TRON address, pasted into Ethereum.",
    );
    assert_wrong_network(
        Network::Bsc,
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "This is a Bitcoin address, pasted into BNB Smart Chain.",
    );
    // An Ethereum address is a BNB Smart Chain address.
    assert_eq!(valid(Network::Bsc, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").network, Network::Bsc);
}

#[test]
fn tron_known_good_and_bad() {
    let usdt = valid(Network::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    assert_eq!(usdt.format, AddressFormat::TronBase58);
    assert_eq!(usdt.address, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    assert!(usdt.notes.is_empty());

    assert_code(Network::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", code::CHECKSUM);
    assert_wrong_network(
        Network::Tron,
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "This is an Ethereum or BNB Smart Chain address, pasted into TRON.",
    );
    // The hexadecimal form of the same address (version 0x41 and the 20-byte account).
    let payload = bs58::decode("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").with_check(Some(0x41)).into_vec().unwrap();
    let hex_form: String = payload.iter().map(|b| format!("{b:02x}")).collect();
    assert!(hex_form.starts_with("41") && hex_form.len() == 42);
    assert_code(Network::Tron, &hex_form, code::PREFIX);
    // Bitcoin's version byte with TRON's length.
    assert_wrong_network(
        Network::Tron,
        &base58check(0x00, &payload[1..]),
        "This is a Bitcoin address, pasted into TRON.",
    );
    assert_code(Network::Tron, "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", code::BURN);
    // TRON's testnets (Shasta, Nile) use mainnet-shaped addresses: nothing to detect.
}

#[test]
fn solana_known_good_and_bad() {
    let wrapped_sol = valid(Network::Solana, "So11111111111111111111111111111111111111112");
    assert_eq!(wrapped_sol.format, AddressFormat::Solana);
    assert_eq!(wrapped_sol.notes, vec!["Solana addresses carry no checksum: compare it character by character."]);
    let usdc_mint = valid(Network::Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
    assert_eq!(usdc_mint.address, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");

    // No checksum: a mistake is only caught when it leaves the alphabet or changes the size. Dropping the last
    // character still decodes to 32 bytes, which is why every Solana address carries the note.
    assert_eq!(valid(Network::Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1").format, AddressFormat::Solana);
    let truncated = refused(Network::Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyT");
    assert_eq!(truncated.code, code::LENGTH);
    assert_eq!(truncated.reason, "This is too short to be a Solana address: a character may be missing.");
    assert_code(Network::Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTD0lv", code::CHARSET);
    assert_wrong_network(
        Network::Solana,
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "This is a TRON address, pasted into Solana.",
    );
    assert_code(Network::Solana, "11111111111111111111111111111111", code::BURN);
}

#[test]
fn ton_known_good_and_bad() {
    // USDT's jetton master: compute its user-friendly form from the raw form and check both.
    let raw = "0:b113a994b5024a16719f69139328eb759596c38a25f59028b146fecdc3621dfe";
    let account = hex(&raw[2..]);
    let friendly = |flag: u8, workchain: u8| {
        let mut bytes = vec![flag, workchain];
        bytes.extend_from_slice(&account);
        let crc = Crc::<u16>::new(&CRC_16_XMODEM).checksum(&bytes);
        bytes.extend_from_slice(&crc.to_be_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    };
    let bounceable = friendly(0x11, 0);
    assert_eq!(bounceable, "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs");
    let checked = valid(Network::Ton, &bounceable);
    assert_eq!(checked.format, AddressFormat::TonFriendly { bounceable: true });
    assert_eq!(checked.address, bounceable);
    assert!(checked.notes.is_empty());

    let non_bounceable = friendly(0x51, 0);
    assert!(non_bounceable.starts_with("UQ"));
    assert_eq!(valid(Network::Ton, &non_bounceable).format, AddressFormat::TonFriendly { bounceable: false });

    let checked_raw = valid(Network::Ton, raw);
    assert_eq!(checked_raw.format, AddressFormat::TonRaw);
    assert_eq!(checked_raw.address, raw);
    assert_eq!(checked_raw.notes, vec!["Raw form: no checksum."]);
    assert_eq!(valid(Network::Ton, &raw.to_ascii_uppercase()).address, raw);

    // Standard base64 (+ /) is the same address, stored URL-safe.
    let standard = STANDARD_NO_PAD.encode(URL_SAFE_NO_PAD.decode(&bounceable).unwrap());
    assert_ne!(standard, bounceable);
    let rewritten = valid(Network::Ton, &standard);
    assert_eq!(rewritten.address, bounceable);
    assert_eq!(rewritten.notes.len(), 1);

    // Masterchain is valid with a note.
    let masterchain = valid(Network::Ton, &friendly(0x11, 0xFF));
    assert!(masterchain.notes[0].starts_with("Masterchain"), "{:?}", masterchain.notes);

    let flipped = refused(Network::Ton, &replace_at(&bounceable, 10, 'A'));
    assert_eq!(flipped.code, code::CHECKSUM);
    assert_eq!(refused(Network::Ton, &friendly(0x91, 0)).code, code::TESTNET);
    assert_eq!(refused(Network::Ton, &friendly(0xD1, 0)).code, code::TESTNET);
    assert_eq!(refused(Network::Ton, &friendly(0x11, 0x01)).code, code::WORKCHAIN);
    assert_eq!(refused(Network::Ton, &format!("1:{}", &raw[2..])).code, code::WORKCHAIN);
    assert_eq!(refused(Network::Ton, &raw[..raw.len() - 1]).code, code::LENGTH);
    assert_wrong_network(
        Network::Ton,
        "So11111111111111111111111111111111111111112",
        "This is a Solana address, pasted into TON.",
    );
}

#[test]
fn xrp_known_good_and_bad() {
    let genesis = valid(Network::Xrp, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh");
    assert_eq!(genesis.format, AddressFormat::XrpClassic);
    assert_eq!(genesis.address, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh");

    assert_code(Network::Xrp, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTj", code::CHECKSUM);
    assert_wrong_network(
        Network::Xrp,
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "This is a Bitcoin address, pasted into XRP Ledger.",
    );
    assert_wrong_network(
        Network::Bitcoin,
        "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
        "This is an XRP Ledger address, pasted into Bitcoin.",
    );
    // XLS-5d's example X-addresses: mainnet refused with the reason, testnet as testnet.
    let x_address = refused(Network::Xrp, "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ");
    assert_eq!(x_address.code, code::X_ADDRESS);
    assert_eq!(x_address.reason, "X-addresses are not supported: use the classic r-address and a destination tag.");
    assert_code(Network::Xrp, "T719a5UwUCnEs54UsxG9CJYYDhwmFCqkr7wxCcNcfZ6p5GZ", code::TESTNET);
    // ACCOUNT_ZERO and ACCOUNT_ONE.
    assert_code(Network::Xrp, "rrrrrrrrrrrrrrrrrrrrrhoLvTp", code::BURN);
    assert_code(Network::Xrp, "rrrrrrrrrrrrrrrrrrrrBZbvji", code::BURN);
}

#[test]
fn an_unknown_bech32_prefix_is_named() {
    let err = refused(Network::Bitcoin, "bx1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
    assert_eq!(err.code, code::PREFIX);
    assert_eq!(err.reason, "A Bitcoin address starts with 1, 3 or bc1; this one starts with “bx1”.");
}
