//! Address validation: cleaning the input, dispatching to the network's rules, and naming the right network
//! when an address was pasted into the wrong one.

use crate::error::{AddressError, code};
use crate::network::Network;
use crate::{bitcoin_like, evm, solana, ton, tron, xrp};

/// The longest input looked at, in characters; longer is refused before any decoding.
const MAX_CHARS: usize = 200;

/// An address that passed validation, in the form to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAddress {
    /// The network it was validated for.
    pub network: Network,
    /// The canonical form to store: Bech32 lowercase, EVM in EIP-55 case, TON raw lowercase or user-friendly
    /// base64url; Base58 forms as entered (they are case-sensitive and already canonical).
    pub address: String,
    /// What kind of address it is.
    pub format: AddressFormat,
    /// Remarks that do not block saving, e.g. that the address carries no checksum.
    pub notes: Vec<String>,
}

/// The kind of address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFormat {
    /// Base58Check pay-to-public-key-hash (Bitcoin `1…`, Litecoin `L…`, Dogecoin `D…`).
    P2pkh,
    /// Base58Check pay-to-script-hash (Bitcoin `3…`, Litecoin `M…` or `3…`, Dogecoin `9…`/`A…`).
    P2sh,
    /// Segwit version 0, 20-byte program (`bc1q…`, `ltc1q…`).
    P2wpkh,
    /// Segwit version 0, 32-byte program.
    P2wsh,
    /// Segwit version 1, 32-byte program: Taproot (`bc1p…`, `ltc1p…`).
    P2tr,
    /// `0x` + 40 hex digits (Ethereum, BNB Smart Chain).
    Evm,
    /// TRON Base58Check (`T…`).
    TronBase58,
    /// Solana Base58 public key.
    Solana,
    /// TON raw `workchain:hex` (no checksum).
    TonRaw,
    /// TON user-friendly 48-character form; `bounceable` is its flag (`EQ…` true, `UQ…` false).
    TonFriendly {
        /// Whether a payment to an uninitialised account bounces back (`EQ…`) or stays (`UQ…`).
        bounceable: bool,
    },
    /// XRP Ledger classic address (`r…`).
    XrpClassic,
}

impl AddressFormat {
    /// A stable lowercase name: `p2pkh`, `p2sh`, `p2wpkh`, `p2wsh`, `p2tr`, `evm`, `tron_base58`, `solana`,
    /// `ton_raw`, `ton_bounceable`, `ton_non_bounceable`, `xrp_classic`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AddressFormat::P2pkh => "p2pkh",
            AddressFormat::P2sh => "p2sh",
            AddressFormat::P2wpkh => "p2wpkh",
            AddressFormat::P2wsh => "p2wsh",
            AddressFormat::P2tr => "p2tr",
            AddressFormat::Evm => "evm",
            AddressFormat::TronBase58 => "tron_base58",
            AddressFormat::Solana => "solana",
            AddressFormat::TonRaw => "ton_raw",
            AddressFormat::TonFriendly { bounceable: true } => "ton_bounceable",
            AddressFormat::TonFriendly { bounceable: false } => "ton_non_bounceable",
            AddressFormat::XrpClassic => "xrp_classic",
        }
    }

    /// A short label for people, e.g. "Taproot (P2TR)".
    pub const fn label(self) -> &'static str {
        match self {
            AddressFormat::P2pkh => "Legacy (P2PKH)",
            AddressFormat::P2sh => "Script (P2SH)",
            AddressFormat::P2wpkh => "Native SegWit (P2WPKH)",
            AddressFormat::P2wsh => "Native SegWit script (P2WSH)",
            AddressFormat::P2tr => "Taproot (P2TR)",
            AddressFormat::Evm => "EVM address",
            AddressFormat::TronBase58 => "TRON address",
            AddressFormat::Solana => "Solana address",
            AddressFormat::TonRaw => "TON raw address",
            AddressFormat::TonFriendly { bounceable: true } => "TON bounceable address",
            AddressFormat::TonFriendly { bounceable: false } => "TON non-bounceable address",
            AddressFormat::XrpClassic => "XRP classic address",
        }
    }
}

/// Validates `input` as a mainnet address on `network` and returns the form to store.
///
/// Surrounding whitespace is trimmed; whitespace, control or invisible characters inside are refused. When the
/// input is not valid for `network` but is valid for other networks, the refusal says so (code
/// `wrong_network`). An address valid on several networks (Ethereum and BNB Smart Chain; Bitcoin and Litecoin's
/// old `3…` P2SH) is simply valid for the chosen one.
pub fn validate(network: Network, input: &str) -> Result<ValidAddress, AddressError> {
    let address = prepare(input)?;
    validate_prepared(network, address).map_err(|err| {
        let others: Vec<Network> = Network::ALL
            .into_iter()
            .filter(|other| *other != network && validate_prepared(*other, address).is_ok())
            .collect();
        if others.is_empty() { err } else { wrong_network(&others, network) }
    })
}

fn validate_prepared(network: Network, address: &str) -> Result<ValidAddress, AddressError> {
    match network {
        Network::Bitcoin => bitcoin_like::validate(&bitcoin_like::BITCOIN, address),
        Network::Litecoin => bitcoin_like::validate(&bitcoin_like::LITECOIN, address),
        Network::Dogecoin => bitcoin_like::validate(&bitcoin_like::DOGECOIN, address),
        Network::Ethereum | Network::Bsc => evm::validate(network, address),
        Network::Tron => tron::validate(address),
        Network::Solana => solana::validate(address),
        Network::Ton => ton::validate(address),
        Network::Xrp => xrp::validate(address),
    }
}

/// Trims surrounding whitespace and refuses empty input, whitespace, control and invisible characters inside,
/// and input far too long to be an address.
fn prepare(input: &str) -> Result<&str, AddressError> {
    let address = input.trim();
    if address.is_empty() {
        return Err(AddressError::new(code::EMPTY, "No address was entered."));
    }
    for character in address.chars() {
        if character.is_whitespace() {
            return Err(AddressError::new(code::WHITESPACE, "The address contains a space or line break inside."));
        }
        if character.is_control() {
            return Err(AddressError::new(code::WHITESPACE, "The address contains a control character inside."));
        }
        if is_invisible(character) {
            return Err(AddressError::new(
                code::INVISIBLE,
                format!(
                    "The address contains an invisible character (U+{:04X}): copy it again from the source or type it.",
                    u32::from(character)
                ),
            ));
        }
    }
    let length = address.chars().count();
    if length > MAX_CHARS {
        return Err(AddressError::new(
            code::LENGTH,
            format!("This is far too long to be an address ({length} characters)."),
        ));
    }
    Ok(address)
}

/// Zero-width, joiner, text-direction, byte-order and other format characters that render as nothing.
fn is_invisible(character: char) -> bool {
    matches!(
        character,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

fn wrong_network(others: &[Network], chosen: Network) -> AddressError {
    let names: Vec<&str> = others.iter().map(|network| network.display_name()).collect();
    let article = match others.first() {
        Some(Network::Ethereum | Network::Xrp) => "an",
        _ => "a",
    };
    AddressError::new(
        code::WRONG_NETWORK,
        format!("This is {article} {} address, pasted into {}.", names.join(" or "), chosen.display_name()),
    )
}
