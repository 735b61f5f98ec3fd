//! Gatehouse's networks, their assets, and validation of what people type: addresses, memos and amounts.
//!
//! Pure functions: no I/O, no clock, no async. Nothing here knows the rest of Gatehouse.
//!
//! # API
//!
//! - [`Network`]: `Bitcoin`, `Ethereum`, `Bsc`, `Tron`, `Litecoin`, `Dogecoin`, `Solana`, `Ton`, `Xrp`;
//!   [`Network::as_str`] (stored name), [`Network::parse`] (case-insensitive, trimmed; [`UnknownNetwork`] lists
//!   the valid names), [`Network::display_name`], [`Network::ALL`], [`Network::memo_kind`].
//! - [`Asset`] and [`assets`]`(network) -> &'static [Asset]`, [`asset`]`(network, symbol)`.
//! - [`validate`]`(network, input) -> Result<ValidAddress, AddressError>`: the canonical form to store, its
//!   [`AddressFormat`] and non-blocking notes; every refusal has a stable [`code`] and a reason in plain words.
//! - [`validate_memo`]`(network, memo) -> Result<Option<String>, AddressError>`: XRP destination tag, TON memo.
//! - [`parse_amount`]`(asset, input) -> Result<Amount, AmountError>`: exact base units, canonical `Display`.
//! - [`lookalike`]`(candidate, saved) -> Option<LookAlike>`: address-poisoning detection.
//!
//! # Decisions
//!
//! - **Mainnet only.** Testnet, signet and regtest addresses are refused with code `testnet` wherever the format
//!   tells them apart (TRON's and Solana's testnets use mainnet-shaped addresses and cannot be detected).
//! - **Segwit.** Bitcoin and Litecoin accept witness version 0 (P2WPKH, P2WSH; Bech32) and version 1 with a
//!   32-byte program (Taproot; Bech32m). Versions 2–16, although valid per BIP-350, are refused (code
//!   `witness_version`): they are not in use, so coins sent there can be taken by anyone; the same goes for
//!   version 1 programs that are not 32 bytes (code `witness_program`). A checksum of the wrong variant gets
//!   `bech32m_required` or `bech32_required`.
//! - **Litecoin's old `3…` P2SH** (version 0x05, shared with Bitcoin) is accepted with a note.
//! - **EVM.** Mixed case must match EIP-55; all-lowercase or all-uppercase input is accepted with a note unless
//!   it already is its own EIP-55 form. The stored form is EIP-55.
//! - **TON.** Raw `0:`/`-1:` form stored lowercase with a "no checksum" note; user-friendly form stored in
//!   base64url, bounceable flag kept in [`AddressFormat::TonFriendly`]; the testnet flag is refused.
//! - **XRP X-addresses are refused** (code `x_address`): save the classic r-address and the destination tag.
//! - **Burn addresses are refused** (code `burn`): all-zero keys or hashes on every network, and the XRP
//!   Ledger's ACCOUNT_ZERO and ACCOUNT_ONE.
//! - **Wrong network.** Input invalid for the chosen network but valid for others is refused with code
//!   `wrong_network`, naming them ("This is a Litecoin address, pasted into Bitcoin."). Input valid for both
//!   (Ethereum and BNB Smart Chain; Bitcoin and Litecoin `3…`) is simply valid.
//! - **Input hygiene.** Surrounding whitespace is trimmed; whitespace or control characters inside give code
//!   `whitespace`, invisible characters (zero-width, direction marks, byte-order mark) anywhere give `invisible`.
//! - **Look-alikes** compare significant characters after the part all addresses of a kind share (see
//!   [`lookalike`] for the list); case is ignored for EVM, Bech32 and TON raw hex only.

#![warn(missing_docs)]

mod address;
mod amount;
mod asset;
mod base58;
mod bitcoin_like;
mod error;
mod evm;
mod lookalike;
mod memo;
mod network;
mod segwit;
mod solana;
mod ton;
mod tron;
mod xrp;

pub use address::{AddressFormat, ValidAddress, validate};
pub use amount::{Amount, parse_amount};
pub use asset::{Asset, asset, assets};
pub use error::{AddressError, AmountError, code};
pub use lookalike::{LookAlike, SIGNIFICANT_CHARS, lookalike};
pub use memo::{MemoKind, TON_MEMO_MAX_CHARS, validate_memo};
pub use network::{Network, UnknownNetwork};
