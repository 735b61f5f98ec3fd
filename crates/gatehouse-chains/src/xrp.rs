//! XRP Ledger classic addresses: Base58Check in the Ripple alphabet, version 0x00, so they start with `r`.
//!
//! X-addresses (an account and a destination tag packed together) are refused: store the classic r-address and
//! put the tag in the destination tag field, so the tag is visible and checked on its own.

use bs58::Alphabet;

use crate::address::{AddressFormat, ValidAddress};
use crate::base58;
use crate::error::{AddressError, code};
use crate::network::Network;

/// Classic address version byte.
const VERSION: u8 = 0x00;
/// X-address prefixes (XLS-5d): mainnet `X…`, testnet `T…`.
const X_MAINNET: [u8; 2] = [0x05, 0x44];
const X_TESTNET: [u8; 2] = [0x04, 0x93];
/// X-address payload: prefix, 20-byte account, flags, 8-byte tag.
const X_PAYLOAD: usize = 31;

/// Validates a classic XRP Ledger address. ACCOUNT_ZERO (`rrrrrrrrrrrrrrrrrrrrrhoLvTp`) and ACCOUNT_ONE
/// (`rrrrrrrrrrrrrrrrrrrrBZbvji`) are special accounts nobody controls and are refused.
pub(crate) fn validate(input: &str) -> Result<ValidAddress, AddressError> {
    let network = Network::Xrp;
    let payload = base58::decode_check(input, Alphabet::RIPPLE, network)?;
    if payload.len() == X_PAYLOAD && payload.starts_with(&X_MAINNET) {
        return Err(AddressError::new(
            code::X_ADDRESS,
            "X-addresses are not supported: use the classic r-address and a destination tag.",
        ));
    }
    if payload.len() == X_PAYLOAD && payload.starts_with(&X_TESTNET) {
        return Err(AddressError::testnet());
    }
    if payload.len() != 21 {
        return Err(base58::wrong_size(payload.len(), 21, network));
    }
    if payload[0] != VERSION {
        return Err(AddressError::new(code::PREFIX, "An XRP Ledger address starts with r."));
    }
    let account = &payload[1..];
    let (last, rest) = account.split_last().unwrap_or((&0, &[]));
    if rest.iter().all(|b| *b == 0) && *last <= 1 {
        return Err(AddressError::new(
            code::BURN,
            "This is a special XRP Ledger account that no one controls: coins sent to it are lost forever.",
        ));
    }
    Ok(ValidAddress { network, address: input.to_owned(), format: AddressFormat::XrpClassic, notes: Vec::new() })
}
