//! TRON addresses: Base58Check, 21-byte payload with version byte 0x41, so they start with `T`.

use bs58::Alphabet;

use crate::address::{AddressFormat, ValidAddress};
use crate::base58;
use crate::error::{AddressError, code};
use crate::network::Network;

/// TRON's address version byte.
const VERSION: u8 = 0x41;

/// Validates a TRON Base58Check address. TRON's testnets (Shasta, Nile) use the same form, so they cannot be
/// told apart here.
pub(crate) fn validate(input: &str) -> Result<ValidAddress, AddressError> {
    let network = Network::Tron;
    if input.len() == 42 && input.starts_with("41") && input.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AddressError::new(
            code::PREFIX,
            "This is the hexadecimal form of a TRON address; enter the usual form, which starts with T.",
        ));
    }
    let payload = base58::decode_check(input, Alphabet::BITCOIN, network)?;
    if payload.len() != 21 {
        return Err(base58::wrong_size(payload.len(), 21, network));
    }
    if payload[0] != VERSION {
        return Err(AddressError::new(code::PREFIX, "A TRON address starts with T."));
    }
    AddressError::refuse_all_zero(&payload[1..])?;
    Ok(ValidAddress { network, address: input.to_owned(), format: AddressFormat::TronBase58, notes: Vec::new() })
}
