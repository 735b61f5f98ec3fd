//! Native segwit addresses (BIP-173 Bech32 for witness version 0, BIP-350 Bech32m for version 1 and up).
//!
//! Accepted: version 0 with a 20-byte (P2WPKH) or 32-byte (P2WSH) program, version 1 with a 32-byte program
//! (Taproot, P2TR). Refused with a reason: versions 2–16 ("future segwit": valid per BIP-350 but not in use,
//! so coins sent there could be taken by anyone) and version 1 programs of other sizes.

use bech32::primitives::decode::{CharError, SegwitHrpstringError, UncheckedHrpstring, UncheckedHrpstringError};
use bech32::primitives::segwit::WitnessLengthError;
use bech32::{Bech32, Bech32m, Fe32};

use crate::address::AddressFormat;
use crate::error::{AddressError, code};
use crate::network::Network;

/// The human-readable parts (prefixes before the `1`) one network uses.
pub(crate) struct Hrps {
    /// Mainnet, e.g. `bc`.
    pub mainnet: &'static str,
    /// Testnet, signet and regtest, e.g. `tb`, `bcrt`.
    pub testnet: &'static [&'static str],
}

/// The lowercase human-readable part of a string shaped like a Bech32 string (letters, then the last `1`).
pub(crate) fn hrp_of(input: &str) -> Option<String> {
    let separator = input.rfind('1')?;
    let hrp = &input[..separator];
    (!hrp.is_empty() && hrp.len() <= 83 && hrp.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| hrp.to_ascii_lowercase())
}

/// The longest segwit address BIP-173 allows, in characters.
const MAX_LENGTH: usize = 90;
/// Characters in a Bech32 or Bech32m checksum.
const CHECKSUM_CHARS: usize = 6;

/// Validates a segwit address whose prefix is one of `hrps`; returns the canonical (lowercase) form and format.
///
/// The checks run in the order of BIP-350's reference decoder, so each BIP test vector gets the reason the BIP
/// gives: checksum (either variant), program size, witness version, version 0 size, checksum variant, then
/// mainnet and the formats Gatehouse accepts.
pub(crate) fn validate(input: &str, hrps: &Hrps, network: Network) -> Result<(String, AddressFormat), AddressError> {
    let name = network.with_article();
    let length = input.chars().count();
    if length > MAX_LENGTH {
        return Err(AddressError::new(
            code::LENGTH,
            format!(
                "This is too long to be {name} address: it has {length} characters, at most {MAX_LENGTH} are possible."
            ),
        ));
    }
    let unchecked = UncheckedHrpstring::new(input).map_err(|err| unchecked_refusal(err, hrps, network))?;
    let data_chars = unchecked.data_part_ascii().len();
    if data_chars <= CHECKSUM_CHARS {
        return Err(AddressError::new(
            code::LENGTH,
            format!("This is too short to be {name} address: it carries no data."),
        ));
    }
    let bech32 = unchecked.has_valid_checksum::<Bech32>();
    let bech32m = unchecked.has_valid_checksum::<Bech32m>();
    let checked = match (bech32, bech32m) {
        (true, _) => unchecked.remove_checksum::<Bech32>(),
        (false, true) => unchecked.remove_checksum::<Bech32m>(),
        (false, false) => return Err(AddressError::checksum()),
    };
    // After the version character, five bits per character; an incomplete last byte is padding.
    let size = (data_chars - CHECKSUM_CHARS - 1) * 5 / 8;
    if !(2..=40).contains(&size) {
        return Err(AddressError::new(
            code::WITNESS_PROGRAM,
            format!("A segwit address carries 2 to 40 bytes; this one carries {size}."),
        ));
    }
    let version = checked.witness_version().map_or(u8::MAX, Fe32::to_u8);
    if version > 16 {
        return Err(AddressError::new(
            code::WITNESS_VERSION,
            format!("This address has an unknown witness version ({version}); only versions 0 to 16 exist."),
        ));
    }
    let segwit = checked.validate_segwit().map_err(|err| program_refusal(err, size))?;
    check_checksum_variant(version, bech32)?;

    let hrp = segwit.hrp().to_lowercase();
    if hrps.testnet.contains(&hrp.as_str()) {
        return Err(AddressError::testnet());
    }
    if hrp != hrps.mainnet {
        return Err(AddressError::new(code::PREFIX, format!("“{hrp}1” is not how {name} address starts.")));
    }
    let program: Vec<u8> = segwit.byte_iter().collect();
    let format = match (version, program.len()) {
        (0, 20) => AddressFormat::P2wpkh,
        (0, _) => AddressFormat::P2wsh,
        (1, 32) => AddressFormat::P2tr,
        (1, size) => {
            return Err(AddressError::new(
                code::WITNESS_PROGRAM,
                format!(
                    "A Taproot address carries 32 bytes; this one carries {size}, a kind not in use: coins sent to it \
                     could be lost."
                ),
            ));
        }
        (version, _) => {
            return Err(AddressError::new(
                code::WITNESS_VERSION,
                format!(
                    "This is a witness version {version} address, which is not in use yet: coins sent to it could be \
                     taken by anyone. Only version 0 ({}1q…) and Taproot ({}1p…) addresses can be saved.",
                    hrps.mainnet, hrps.mainnet
                ),
            ));
        }
    };
    AddressError::refuse_all_zero(&program)?;
    Ok((input.to_ascii_lowercase(), format))
}

/// BIP-350: version 0 must use Bech32, versions 1–16 Bech32m. Says which one was used by mistake.
fn check_checksum_variant(version: u8, is_bech32: bool) -> Result<(), AddressError> {
    match (version, is_bech32) {
        (0, true) | (1.., false) => Ok(()),
        (0, false) => Err(AddressError::new(
            code::BECH32_REQUIRED,
            "Bech32 is required for witness version 0 addresses; this one uses the Bech32m checksum.",
        )),
        (1, true) => Err(AddressError::new(
            code::BECH32M_REQUIRED,
            "Bech32m is required for witness version 1 (Taproot) addresses; this one uses the older Bech32 checksum.",
        )),
        (_, true) => Err(AddressError::new(
            code::BECH32M_REQUIRED,
            format!(
                "Bech32m is required for witness version {version} addresses; this one uses the older Bech32 checksum."
            ),
        )),
    }
}

fn unchecked_refusal(err: UncheckedHrpstringError, hrps: &Hrps, network: Network) -> AddressError {
    match err {
        UncheckedHrpstringError::Char(CharError::MixedCase) => AddressError::new(
            code::MIXED_CASE,
            format!(
                "This address mixes capital and small letters; {}1 addresses are written all in one case.",
                hrps.mainnet
            ),
        ),
        UncheckedHrpstringError::Char(CharError::InvalidChar(character)) => AddressError::new(
            code::CHARSET,
            format!(
                "The character “{character}” cannot appear in {} address (after {}1 these never use 1, b, i or o).",
                network.with_article(),
                hrps.mainnet
            ),
        ),
        UncheckedHrpstringError::Char(_) => {
            AddressError::new(code::LENGTH, format!("This is too short to be {} address.", network.with_article()))
        }
        UncheckedHrpstringError::Hrp(_) => AddressError::new(
            code::PREFIX,
            format!("{} address starts with {}1.", network.with_capital_article(), hrps.mainnet),
        ),
        _ => AddressError::checksum(),
    }
}

/// Refusals once the checksum is known good: padding and version 0 program size.
fn program_refusal(err: SegwitHrpstringError, size: usize) -> AddressError {
    match err {
        SegwitHrpstringError::WitnessLength(WitnessLengthError::InvalidSegwitV0) => AddressError::new(
            code::WITNESS_PROGRAM,
            format!("A witness version 0 address carries 20 or 32 bytes; this one carries {size}."),
        ),
        SegwitHrpstringError::WitnessLength(_) => AddressError::new(
            code::WITNESS_PROGRAM,
            format!("A segwit address carries 2 to 40 bytes; this one carries {size}."),
        ),
        SegwitHrpstringError::Padding(_) => AddressError::new(
            code::WITNESS_PROGRAM,
            "The address data does not end cleanly (invalid padding): a character is wrong, missing or added.",
        ),
        _ => AddressError::checksum(),
    }
}

/// Whether the string is shaped like Bech32 (prefix, `1`, one-case data in the Bech32 alphabet), checksum
/// aside: used to name an unknown prefix rather than complain about Base58 characters.
pub(crate) fn looks_like_bech32(input: &str) -> bool {
    UncheckedHrpstring::new(input).is_ok_and(|unchecked| unchecked.data_part_ascii().len() > CHECKSUM_CHARS)
}
