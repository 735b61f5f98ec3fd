//! Bitcoin, Litecoin and Dogecoin: Base58Check P2PKH/P2SH addresses and (Bitcoin, Litecoin) native segwit.

use bs58::Alphabet;

use crate::address::{AddressFormat, ValidAddress};
use crate::base58;
use crate::error::{AddressError, code};
use crate::network::Network;
use crate::segwit::{self, Hrps};

/// One Bitcoin-family network's version bytes and segwit prefixes.
pub(crate) struct Params {
    network: Network,
    /// Pay-to-public-key-hash version byte.
    p2pkh: u8,
    /// Pay-to-script-hash version byte.
    p2sh: u8,
    /// An older P2SH version byte still accepted, shared with another network (Litecoin's `3…`).
    shared_p2sh: Option<u8>,
    /// Testnet and regtest version bytes.
    testnet: &'static [u8],
    /// Segwit prefixes, if the network has segwit.
    hrps: Option<Hrps>,
    /// Bech32 prefixes of address kinds Gatehouse does not support, and why.
    unsupported_hrps: &'static [(&'static str, &'static str)],
    /// How its mainnet addresses start, for messages.
    starts: &'static str,
}

pub(crate) const BITCOIN: Params = Params {
    network: Network::Bitcoin,
    p2pkh: 0x00,
    p2sh: 0x05,
    shared_p2sh: None,
    testnet: &[0x6F, 0xC4],
    hrps: Some(Hrps { mainnet: "bc", testnet: &["tb", "bcrt"] }),
    unsupported_hrps: &[],
    starts: "1, 3 or bc1",
};

pub(crate) const LITECOIN: Params = Params {
    network: Network::Litecoin,
    p2pkh: 0x30,
    p2sh: 0x32,
    shared_p2sh: Some(0x05),
    testnet: &[0x6F, 0x3A, 0xC4],
    hrps: Some(Hrps { mainnet: "ltc", testnet: &["tltc", "rltc"] }),
    unsupported_hrps: &[(
        "ltcmweb",
        "Litecoin MWEB (ltcmweb1…) addresses are not supported: use a regular Litecoin address (L…, M… or ltc1…).",
    )],
    starts: "L, M, 3 or ltc1",
};

pub(crate) const DOGECOIN: Params = Params {
    network: Network::Dogecoin,
    p2pkh: 0x1E,
    p2sh: 0x16,
    shared_p2sh: None,
    testnet: &[0x71, 0xC4],
    hrps: None,
    unsupported_hrps: &[],
    starts: "D, A or 9",
};

/// The note on Litecoin's old P2SH form, which Bitcoin uses too.
pub(crate) const SHARED_P2SH_NOTE: &str = "Old-style P2SH address starting with 3, the same form Bitcoin uses: make \
                                           sure it really is a Litecoin address (newer wallets show it starting with M).";

/// Validates a Base58Check or segwit address of the network `params` describes.
pub(crate) fn validate(params: &Params, input: &str) -> Result<ValidAddress, AddressError> {
    let network = params.network;
    if let Some(hrp) = segwit::hrp_of(input) {
        if let Some(hrps) = &params.hrps
            && (hrp == hrps.mainnet || hrps.testnet.contains(&hrp.as_str()))
        {
            let (address, format) = segwit::validate(input, hrps, network)?;
            return Ok(ValidAddress { network, address, format, notes: Vec::new() });
        }
        if let Some((_, reason)) = params.unsupported_hrps.iter().find(|(prefix, _)| *prefix == hrp) {
            return Err(AddressError::new(code::PREFIX, *reason));
        }
    }
    let payload = base58::decode_check(input, Alphabet::BITCOIN, network).map_err(|err| {
        // A Bech32 string with another prefix ("tc1…", "ltc1…" in Bitcoin) fails Base58 on its characters.
        match segwit::hrp_of(input) {
            Some(hrp) if err.code == code::CHARSET && segwit::looks_like_bech32(input) => {
                wrong_start(params, &format!("{hrp}1"))
            }
            _ => err,
        }
    })?;
    if payload.len() != 21 {
        return Err(base58::wrong_size(payload.len(), 21, network));
    }
    let (version, hash) = (payload[0], &payload[1..]);
    let mut notes = Vec::new();
    let format = if version == params.p2pkh {
        AddressFormat::P2pkh
    } else if version == params.p2sh {
        AddressFormat::P2sh
    } else if Some(version) == params.shared_p2sh {
        notes.push(SHARED_P2SH_NOTE.to_owned());
        AddressFormat::P2sh
    } else if params.testnet.contains(&version) {
        return Err(AddressError::testnet());
    } else {
        let first: String = input.chars().take(1).collect();
        return Err(wrong_start(params, &first));
    };
    AddressError::refuse_all_zero(hash)?;
    Ok(ValidAddress { network, address: input.to_owned(), format, notes })
}

fn wrong_start(params: &Params, start: &str) -> AddressError {
    AddressError::new(
        code::PREFIX,
        format!(
            "{} address starts with {}; this one starts with “{start}”.",
            params.network.with_capital_article(),
            params.starts
        ),
    )
}
