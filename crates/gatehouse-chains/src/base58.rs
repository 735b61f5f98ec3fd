//! Base58 and Base58Check decoding (Bitcoin and Ripple alphabets) with refusals people understand.

use bs58::Alphabet;
use bs58::decode::Error;

use crate::error::{AddressError, code};
use crate::network::Network;

/// Decodes Base58Check (double SHA-256 checksum) and returns the payload, version byte first.
pub(crate) fn decode_check(
    input: &str,
    alphabet: &'static Alphabet,
    network: Network,
) -> Result<Vec<u8>, AddressError> {
    bs58::decode(input).with_alphabet(alphabet).with_check(None).into_vec().map_err(|err| refusal(input, err, network))
}

/// Decodes plain Base58 (no checksum).
pub(crate) fn decode(input: &str, network: Network) -> Result<Vec<u8>, AddressError> {
    bs58::decode(input).into_vec().map_err(|err| refusal(input, err, network))
}

/// The refusal for a character outside the Base58 alphabet.
pub(crate) fn bad_character(character: char, network: Network) -> AddressError {
    AddressError::new(
        code::CHARSET,
        format!(
            "The character “{character}” cannot appear in {} address (these never use 0, O, I or l).",
            network.with_article()
        ),
    )
}

fn refusal(input: &str, err: Error, network: Network) -> AddressError {
    match err {
        Error::InvalidCharacter { character, .. } => bad_character(character, network),
        Error::NonAsciiCharacter { index } => {
            bad_character(input.get(index..).and_then(|rest| rest.chars().next()).unwrap_or('\u{FFFD}'), network)
        }
        Error::InvalidChecksum { .. } => AddressError::checksum(),
        Error::NoChecksum => {
            AddressError::new(code::LENGTH, format!("This is too short to be {} address.", network.with_article()))
        }
        _ => AddressError::new(code::CHARSET, format!("This is not {} address.", network.with_article())),
    }
}

/// The refusal for a decoded payload of the wrong size, `expected` bytes wanted.
pub(crate) fn wrong_size(actual: usize, expected: usize, network: Network) -> AddressError {
    let reason = if actual < expected {
        format!("This is too short to be {} address: a character may be missing.", network.with_article())
    } else {
        format!("This is too long to be {} address: a character may have been added.", network.with_article())
    };
    AddressError::new(code::LENGTH, reason)
}
