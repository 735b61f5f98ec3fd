//! Solana addresses: Base58 of a 32-byte public key. There is no checksum.

use crate::address::{AddressFormat, ValidAddress};
use crate::base58;
use crate::error::{AddressError, code};
use crate::network::Network;

/// The note every Solana address gets.
pub(crate) const NO_CHECKSUM: &str = "Solana addresses carry no checksum: compare it character by character.";

/// Validates a Solana address: Base58 decoding to exactly 32 bytes, not all zeros (the system program).
pub(crate) fn validate(input: &str) -> Result<ValidAddress, AddressError> {
    let network = Network::Solana;
    let key = base58::decode(input, network)?;
    if key.len() != 32 {
        let reason = if key.len() < 32 {
            "This is too short to be a Solana address: a character may be missing."
        } else {
            "This is too long to be a Solana address: a character may have been added."
        };
        return Err(AddressError::new(code::LENGTH, reason));
    }
    AddressError::refuse_all_zero(&key)?;
    Ok(ValidAddress {
        network,
        address: input.to_owned(),
        format: AddressFormat::Solana,
        notes: vec![NO_CHECKSUM.to_owned()],
    })
}
