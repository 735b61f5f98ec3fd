//! Address-poisoning detection: a new address that shares its visible start and end with a saved one.
//!
//! Poisoners generate an address whose first and last few characters match one the victim uses, because
//! wallets and people look only at those. [`lookalike`] compares the *significant* characters: it first sets
//! aside the part every address of that kind shares, then requires the same first [`SIGNIFICANT_CHARS`] and last
//! [`SIGNIFICANT_CHARS`] characters while the addresses differ somewhere in between.
//!
//! The prefix set aside (both addresses must have the same one):
//! - EVM `0x` (compared ignoring case: hex case only carries the checksum);
//! - segwit `bc1`, `ltc1` (and testnet `tb1`, `bcrt1`, `tltc1`, `rltc1`) plus the witness version character
//!   (`bc1q`, `bc1p`), ignoring case;
//! - TON raw `0:` or `-1:`, ignoring case; TON user-friendly: the two flag characters (`EQ`, `UQ`, …);
//! - Base58Check addresses of 25–35 characters: the version character (`1`, `3`, `T`, `r`, `L`, `M`, `D`);
//! - nothing for anything else (Solana keys are all significant).
//!
//! Base58 and base64 are compared case-sensitively (case is part of their value). Non-ASCII input is never an
//! address and never matches. Surrounding whitespace is ignored.

use std::ops::Range;

use crate::segwit;

/// How many significant characters must match at each end.
pub const SIGNIFICANT_CHARS: usize = 4;

/// Segwit prefixes whose witness version character is set aside too.
const SEGWIT_HRPS: [&str; 6] = ["bc", "tb", "bcrt", "ltc", "tltc", "rltc"];

/// Two different addresses that share their start and end: what is shared, and where they differ.
///
/// Ranges are byte ranges into the strings as given (all addresses are ASCII, so bytes are characters), so a UI
/// can highlight the differing middles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookAlike {
    /// The shared start as written in the candidate, network prefix included (at least the prefix and four
    /// characters; longer when more match).
    pub shared_start: String,
    /// The shared end as written in the candidate (at least four characters).
    pub shared_end: String,
    /// Where the candidate differs from the saved address.
    pub candidate_middle: Range<usize>,
    /// Where the saved address differs from the candidate.
    pub saved_middle: Range<usize>,
}

/// Whether `candidate` looks like `saved` without being it: same prefix, same first and last
/// [`SIGNIFICANT_CHARS`] significant characters, different in between. Identical addresses (for EVM and Bech32:
/// equal ignoring case) and unrelated ones give `None`.
pub fn lookalike(candidate: &str, saved: &str) -> Option<LookAlike> {
    let (candidate_offset, candidate) = trimmed(candidate);
    let (saved_offset, saved) = trimmed(saved);
    if !candidate.is_ascii() || !saved.is_ascii() {
        return None;
    }
    let shape = Shape::of(candidate);
    if Shape::of(saved) != shape || !same(&candidate[..shape.prefix], &saved[..shape.prefix], shape.fold_case) {
        return None;
    }
    let (a, b) = (&candidate.as_bytes()[shape.prefix..], &saved.as_bytes()[shape.prefix..]);
    let equal = |x: u8, y: u8| if shape.fold_case { x.eq_ignore_ascii_case(&y) } else { x == y };
    if a.len() < 2 * SIGNIFICANT_CHARS || b.len() < 2 * SIGNIFICANT_CHARS {
        return None;
    }
    if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(*x, *y)) {
        return None;
    }
    let start = a.iter().zip(b).take_while(|(x, y)| equal(**x, **y)).count();
    let room = a.len().min(b.len()) - start;
    let end = a.iter().rev().zip(b.iter().rev()).take(room).take_while(|(x, y)| equal(**x, **y)).count();
    if start < SIGNIFICANT_CHARS || end < SIGNIFICANT_CHARS {
        return None;
    }
    let prefix = shape.prefix;
    Some(LookAlike {
        shared_start: candidate[..prefix + start].to_owned(),
        shared_end: candidate[candidate.len() - end..].to_owned(),
        candidate_middle: candidate_offset + prefix + start..candidate_offset + candidate.len() - end,
        saved_middle: saved_offset + prefix + start..saved_offset + saved.len() - end,
    })
}

/// The input without surrounding whitespace, and the byte offset where it starts.
fn trimmed(input: &str) -> (usize, &str) {
    let start = input.trim_start();
    (input.len() - start.len(), start.trim_end())
}

fn same(a: &str, b: &str, fold_case: bool) -> bool {
    if fold_case { a.eq_ignore_ascii_case(b) } else { a == b }
}

/// How an address is compared: how many leading characters every address of its kind shares, and whether case
/// is meaningless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    prefix: usize,
    fold_case: bool,
}

impl Shape {
    fn of(address: &str) -> Shape {
        let bytes = address.as_bytes();
        if bytes.len() > 2 && (address.starts_with("0x") || address.starts_with("0X")) {
            return Shape { prefix: 2, fold_case: true };
        }
        if let Some(hrp) = segwit::hrp_of(address)
            && SEGWIT_HRPS.contains(&hrp.as_str())
            && bytes.len() > hrp.len() + 2
        {
            return Shape { prefix: hrp.len() + 2, fold_case: true };
        }
        if let Some((workchain, _)) = address.split_once(':')
            && (workchain == "0" || workchain == "-1")
        {
            return Shape { prefix: workchain.len() + 1, fold_case: true };
        }
        if bytes.len() == 48 && matches!(bytes[0], b'E' | b'U' | b'k' | b'0') {
            return Shape { prefix: 2, fold_case: false };
        }
        if (25..=35).contains(&bytes.len()) && matches!(bytes[0], b'1' | b'3' | b'T' | b'r' | b'L' | b'M' | b'D') {
            return Shape { prefix: 1, fold_case: false };
        }
        Shape { prefix: 0, fold_case: false }
    }
}
