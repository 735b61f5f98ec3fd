//! Integration tests of gatehouse-chains: one binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod amounts;
mod bech32_vectors;
mod catalogue;
mod eip55;
mod input;
mod lookalikes;
mod memos;
mod networks;
mod properties;

use gatehouse_chains::{AddressError, Network, ValidAddress, validate};

/// Validates and expects success.
pub fn valid(network: Network, input: &str) -> ValidAddress {
    match validate(network, input) {
        Ok(address) => address,
        Err(err) => panic!("{input} should be a valid {network} address, got {}: {}", err.code, err.reason),
    }
}

/// Validates and expects a refusal.
pub fn refused(network: Network, input: &str) -> AddressError {
    match validate(network, input) {
        Ok(address) => panic!("{input} should be refused for {network}, got {address:?}"),
        Err(err) => err,
    }
}

/// Decodes hexadecimal test data.
pub fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// Base58Check-encodes a version byte and a payload.
pub fn base58check(version: u8, payload: &[u8]) -> String {
    let mut bytes = vec![version];
    bytes.extend_from_slice(payload);
    bs58::encode(bytes).with_check().into_string()
}
