//! The refusals that validation returns: a stable code for programs, a reason for people.

/// Stable machine codes carried by [`AddressError::code`]. Clients branch on these, never on the reason.
pub mod code {
    /// Nothing was entered.
    pub const EMPTY: &str = "empty";
    /// A space, line break or control character inside the address.
    pub const WHITESPACE: &str = "whitespace";
    /// An invisible character (zero-width, text-direction mark, byte-order mark) anywhere in the address.
    pub const INVISIBLE: &str = "invisible";
    /// A character that never appears in this kind of address.
    pub const CHARSET: &str = "charset";
    /// Too short or too long.
    pub const LENGTH: &str = "length";
    /// It does not start the way this network's addresses start.
    pub const PREFIX: &str = "prefix";
    /// The address's checksum does not match: a character is wrong or missing.
    pub const CHECKSUM: &str = "checksum";
    /// A Bech32 address mixing capital and small letters.
    pub const MIXED_CASE: &str = "mixed_case";
    /// A testnet (or regtest) address: only mainnet addresses can be saved.
    pub const TESTNET: &str = "testnet";
    /// Invalid for the chosen network but valid for another one.
    pub const WRONG_NETWORK: &str = "wrong_network";
    /// A witness version 1+ address written with the Bech32 checksum instead of Bech32m (BIP-350).
    pub const BECH32M_REQUIRED: &str = "bech32m_required";
    /// A witness version 0 address written with the Bech32m checksum instead of Bech32 (BIP-350).
    pub const BECH32_REQUIRED: &str = "bech32_required";
    /// A segwit witness version that does not exist, or is not in use yet.
    pub const WITNESS_VERSION: &str = "witness_version";
    /// A segwit witness program of the wrong size, or malformed (padding).
    pub const WITNESS_PROGRAM: &str = "witness_program";
    /// A TON address on a workchain other than the basechain (0) or the masterchain (-1).
    pub const WORKCHAIN: &str = "workchain";
    /// An XRP Ledger X-address (the classic r-address and a destination tag are required instead).
    pub const X_ADDRESS: &str = "x_address";
    /// A well-formed address that nobody controls (all zeros, a black hole): coins sent there are lost.
    pub const BURN: &str = "burn";
    /// A memo or destination tag that is not allowed.
    pub const MEMO: &str = "memo";

    /// Amount: not a decimal number.
    pub const NOT_A_NUMBER: &str = "not_a_number";
    /// Amount: zero or negative.
    pub const NOT_POSITIVE: &str = "not_positive";
    /// Amount: more decimal places than the asset has.
    pub const TOO_MANY_DECIMALS: &str = "too_many_decimals";
    /// Amount: larger than can be represented.
    pub const TOO_LARGE: &str = "too_large";
    /// Amount: thousands separators or a decimal comma.
    pub const SEPARATOR: &str = "separator";
    /// Amount: written with an exponent (`1e-5`).
    pub const EXPONENT: &str = "exponent";
    /// Amount: written with a `+` sign.
    pub const SIGN: &str = "sign";
}

/// Why an address (or a memo) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct AddressError {
    /// A stable code from [`code`], for programs.
    pub code: &'static str,
    /// One sentence for people, e.g. "The checksum does not match: a character is wrong or missing."
    pub reason: String,
}

impl AddressError {
    /// A refusal with its code and reason.
    pub fn new(code: &'static str, reason: impl Into<String>) -> Self {
        Self { code, reason: reason.into() }
    }

    pub(crate) fn checksum() -> Self {
        Self::new(code::CHECKSUM, "The checksum does not match: a character is wrong or missing.")
    }

    pub(crate) fn testnet() -> Self {
        Self::new(code::TESTNET, "This is a testnet address; only mainnet addresses can be saved.")
    }

    pub(crate) fn burn() -> Self {
        Self::new(code::BURN, "This address belongs to no one (it is all zeros): coins sent to it are lost forever.")
    }

    /// Refuses a payload that is entirely zero bytes: a well-formed address that nobody holds a key for.
    pub(crate) fn refuse_all_zero(bytes: &[u8]) -> Result<(), Self> {
        if bytes.iter().all(|b| *b == 0) { Err(Self::burn()) } else { Ok(()) }
    }
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct AmountError {
    /// A stable code from [`code`] (`empty`, `not_a_number`, `not_positive`, `too_many_decimals`, `too_large`,
    /// `separator`, `exponent`, `sign`).
    pub code: &'static str,
    /// One sentence for people, e.g. "BTC has at most 8 decimal places."
    pub reason: String,
}

impl AmountError {
    /// A refusal with its code and reason.
    pub fn new(code: &'static str, reason: impl Into<String>) -> Self {
        Self { code, reason: reason.into() }
    }
}
