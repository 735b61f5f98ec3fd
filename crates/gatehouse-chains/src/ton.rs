//! TON addresses: the raw form `workchain:64 hex digits` and the 48-character user-friendly form
//! (base64 or base64url of flag, workchain, 32-byte account and CRC-16/XMODEM).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use crc::{CRC_16_XMODEM, Crc};

use crate::address::{AddressFormat, ValidAddress};
use crate::error::{AddressError, code};
use crate::network::Network;

/// The note for the raw form.
pub(crate) const RAW_NOTE: &str = "Raw form: no checksum.";
/// The note for a masterchain (-1) address.
pub(crate) const MASTERCHAIN_NOTE: &str =
    "Masterchain address (workchain -1): unusual for a withdrawal; wallets and exchanges use workchain 0.";
/// The note when standard base64 was rewritten in the URL-safe alphabet.
pub(crate) const URL_SAFE_NOTE: &str =
    "Rewritten from standard base64 (+ and /) to the URL-safe form (- and _) that wallets show; same address.";

const CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_XMODEM);
const FRIENDLY_CHARS: usize = 48;
const BOUNCEABLE: u8 = 0x11;
const NON_BOUNCEABLE: u8 = 0x51;
const TESTNET_FLAG: u8 = 0x80;

/// Validates a TON address in raw or user-friendly form.
///
/// Raw is stored lowercase; user-friendly is stored in base64url with its bounceable flag kept.
pub(crate) fn validate(input: &str) -> Result<ValidAddress, AddressError> {
    match input.split_once(':') {
        Some((workchain, account)) => raw(workchain, account),
        None => friendly(input),
    }
}

fn raw(workchain: &str, account: &str) -> Result<ValidAddress, AddressError> {
    let workchain: i32 = match workchain {
        "0" => 0,
        "-1" => -1,
        other => {
            return Err(match other.parse::<i64>() {
                Ok(number) if number != 0 && number != -1 => workchain_refusal(number),
                _ => AddressError::new(
                    code::PREFIX,
                    "A raw TON address is the workchain (0 or -1), a colon, then 64 hexadecimal digits.",
                ),
            });
        }
    };
    if let Some(bad) = account.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(AddressError::new(
            code::CHARSET,
            format!("The character “{bad}” cannot appear in a raw TON address: only 0–9 and a–f follow the colon."),
        ));
    }
    if account.len() != 64 {
        return Err(AddressError::new(
            code::LENGTH,
            format!("A raw TON address has 64 hexadecimal digits after the colon; this one has {}.", account.len()),
        ));
    }
    if account.bytes().all(|b| b == b'0') {
        return Err(AddressError::burn());
    }
    let mut notes = vec![RAW_NOTE.to_owned()];
    if workchain == -1 {
        notes.push(MASTERCHAIN_NOTE.to_owned());
    }
    Ok(ValidAddress {
        network: Network::Ton,
        address: format!("{workchain}:{}", account.to_ascii_lowercase()),
        format: AddressFormat::TonRaw,
        notes,
    })
}

fn friendly(input: &str) -> Result<ValidAddress, AddressError> {
    let length = input.chars().count();
    if length != FRIENDLY_CHARS {
        return Err(AddressError::new(
            code::LENGTH,
            format!("A TON address has {FRIENDLY_CHARS} characters; this one has {length}."),
        ));
    }
    if let Some(bad) = input.chars().find(|c| !(c.is_ascii_alphanumeric() || "+/-_".contains(*c))) {
        return Err(AddressError::new(code::CHARSET, format!("The character “{bad}” cannot appear in a TON address.")));
    }
    let standard = input.contains(['+', '/']);
    if standard && input.contains(['-', '_']) {
        return Err(AddressError::new(
            code::CHARSET,
            "This TON address mixes the two base64 alphabets (+ / and - _): a character is wrong.",
        ));
    }
    let engine = if standard { &STANDARD_NO_PAD } else { &URL_SAFE_NO_PAD };
    let bytes = engine.decode(input).map_err(|_| AddressError::checksum())?;
    let [flag, workchain, rest @ ..] = bytes.as_slice() else {
        return Err(AddressError::checksum());
    };
    let (account, crc) = rest.split_at(rest.len().saturating_sub(2));
    if account.len() != 32 || CRC16.checksum(&bytes[..34]).to_be_bytes() != crc {
        return Err(AddressError::checksum());
    }
    let bounceable = match *flag {
        BOUNCEABLE => true,
        NON_BOUNCEABLE => false,
        flag if flag == BOUNCEABLE | TESTNET_FLAG || flag == NON_BOUNCEABLE | TESTNET_FLAG => {
            return Err(AddressError::testnet());
        }
        _ => {
            return Err(AddressError::new(
                code::PREFIX,
                "This TON address has an unknown flag: it is not a valid address.",
            ));
        }
    };
    let workchain = i8::from_ne_bytes([*workchain]);
    if workchain != 0 && workchain != -1 {
        return Err(workchain_refusal(i64::from(workchain)));
    }
    AddressError::refuse_all_zero(account)?;
    let mut notes = Vec::new();
    if workchain == -1 {
        notes.push(MASTERCHAIN_NOTE.to_owned());
    }
    if standard {
        notes.push(URL_SAFE_NOTE.to_owned());
    }
    Ok(ValidAddress {
        network: Network::Ton,
        address: URL_SAFE_NO_PAD.encode(&bytes),
        format: AddressFormat::TonFriendly { bounceable },
        notes,
    })
}

fn workchain_refusal(workchain: i64) -> AddressError {
    AddressError::new(
        code::WORKCHAIN,
        format!("This TON address is on workchain {workchain}; only workchains 0 and -1 exist for payments."),
    )
}
