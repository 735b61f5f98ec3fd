//! Memos and destination tags: which networks carry one, and checking what was typed.

use crate::error::{AddressError, code};
use crate::network::Network;

/// The longest TON memo Gatehouse accepts, in characters (the limit hardware wallets enforce).
pub const TON_MEMO_MAX_CHARS: usize = 120;

/// What a withdrawal to a network may carry besides the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemoKind {
    /// Nothing: any memo is refused.
    NotUsed,
    /// XRP Ledger destination tag: a whole number 0..=4294967295. Optional for validation, but exchanges
    /// usually require one to credit the right customer, so a UI should ask for it.
    DestinationTag,
    /// TON text comment ("memo"): optional, at most [`TON_MEMO_MAX_CHARS`] printable ASCII characters.
    Text,
}

impl MemoKind {
    /// Whether the network carries a memo or tag at all.
    pub const fn is_used(self) -> bool {
        !matches!(self, MemoKind::NotUsed)
    }

    /// The label for a form field: "Destination tag", "Memo", or `None`.
    pub const fn label(self) -> Option<&'static str> {
        match self {
            MemoKind::NotUsed => None,
            MemoKind::DestinationTag => Some("Destination tag"),
            MemoKind::Text => Some("Memo"),
        }
    }
}

/// Checks the memo or destination tag typed for `network` and returns the form to store.
///
/// Surrounding whitespace is trimmed and an empty memo means none (`Ok(None)`). XRP: a whole number
/// 0..=4294967295, stored without leading zeros. TON: at most 120 printable ASCII characters (letters, digits,
/// punctuation, spaces). Other networks: any memo is refused with code `memo`.
pub fn validate_memo(network: Network, memo: Option<&str>) -> Result<Option<String>, AddressError> {
    let Some(memo) = memo.map(str::trim).filter(|memo| !memo.is_empty()) else {
        return Ok(None);
    };
    match network.memo_kind() {
        MemoKind::NotUsed => Err(AddressError::new(
            code::MEMO,
            format!("{} has no memo or destination tag: leave it empty.", network.display_name()),
        )),
        MemoKind::DestinationTag => destination_tag(memo).map(Some),
        MemoKind::Text => text_memo(memo).map(Some),
    }
}

fn destination_tag(memo: &str) -> Result<String, AddressError> {
    let refuse = || AddressError::new(code::MEMO, "A destination tag is a whole number from 0 to 4294967295.");
    if !memo.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    let digits = memo.trim_start_matches('0');
    if digits.is_empty() {
        return Ok("0".to_owned());
    }
    match digits.parse::<u32>() {
        Ok(tag) => Ok(tag.to_string()),
        Err(_) => Err(AddressError::new(code::MEMO, "A destination tag is at most 4294967295.")),
    }
}

fn text_memo(memo: &str) -> Result<String, AddressError> {
    if let Some(bad) = memo.chars().find(|c| !(' '..='~').contains(c)) {
        let shown = if bad.is_control() || bad.is_whitespace() {
            format!("U+{:04X}", u32::from(bad))
        } else {
            format!("“{bad}” (U+{:04X})", u32::from(bad))
        };
        return Err(AddressError::new(
            code::MEMO,
            format!(
                "A TON memo may only contain letters, digits, punctuation and spaces of the basic Latin set; this one \
                 contains {shown}."
            ),
        ));
    }
    let count = memo.chars().count();
    if count > TON_MEMO_MAX_CHARS {
        return Err(AddressError::new(
            code::MEMO,
            format!("A TON memo has at most {TON_MEMO_MAX_CHARS} characters; this one has {count}."),
        ));
    }
    Ok(memo.to_owned())
}
