//! Ethereum and BNB Smart Chain addresses: `0x` and 40 hexadecimal digits, EIP-55 mixed-case checksum.

use sha3::{Digest, Keccak256};

use crate::address::{AddressFormat, ValidAddress};
use crate::error::{AddressError, code};
use crate::network::Network;

/// The note for an address typed all in one case, which carries no EIP-55 checksum.
pub(crate) const NO_CHECKSUM_LOWER: &str =
    "All lowercase: this address carries no EIP-55 checksum, so typos cannot be detected.";
/// The same for all capitals.
pub(crate) const NO_CHECKSUM_UPPER: &str =
    "All uppercase: this address carries no EIP-55 checksum, so typos cannot be detected.";

/// Validates an EVM address. Mixed case must match EIP-55 exactly; all-lowercase or all-uppercase input is
/// accepted with a note. The stored form is always the EIP-55 checksummed one.
pub(crate) fn validate(network: Network, input: &str) -> Result<ValidAddress, AddressError> {
    let name = network.with_article();
    let Some(hex) = input.strip_prefix("0x").or_else(|| input.strip_prefix("0X")) else {
        let reason = if input.len() == 40 && input.bytes().all(|b| b.is_ascii_hexdigit()) {
            format!("{} address starts with 0x; this one is missing it.", network.with_capital_article())
        } else {
            format!("{} address starts with 0x.", network.with_capital_article())
        };
        return Err(AddressError::new(code::PREFIX, reason));
    };
    if let Some(bad) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(AddressError::new(
            code::CHARSET,
            format!("The character “{bad}” cannot appear in {name} address: only 0–9 and a–f follow 0x."),
        ));
    }
    if hex.len() != 40 {
        return Err(AddressError::new(
            code::LENGTH,
            format!(
                "{} address has 40 hexadecimal digits after 0x; this one has {}.",
                network.with_capital_article(),
                hex.len()
            ),
        ));
    }
    let checksummed = checksum_hex(hex);
    let mut notes = Vec::new();
    if hex != checksummed {
        let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
        let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
        match (has_lower, has_upper) {
            (true, true) => {
                return Err(AddressError::new(
                    code::CHECKSUM,
                    "The EIP-55 checksum does not match: a character is wrong, or a letter has the wrong case.",
                ));
            }
            (true, false) => notes.push(NO_CHECKSUM_LOWER.to_owned()),
            _ => notes.push(NO_CHECKSUM_UPPER.to_owned()),
        }
    }
    if hex.bytes().all(|b| b == b'0') {
        return Err(AddressError::burn());
    }
    Ok(ValidAddress { network, address: format!("0x{checksummed}"), format: AddressFormat::Evm, notes })
}

/// EIP-55: each letter of the lowercase hex is capitalised when the matching nibble of Keccak-256(hex) is ≥ 8.
fn checksum_hex(hex: &str) -> String {
    let lower = hex.to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    lower
        .char_indices()
        .map(|(i, c)| {
            let byte = hash[i / 2];
            let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0F };
            if nibble >= 8 { c.to_ascii_uppercase() } else { c }
        })
        .collect()
}
