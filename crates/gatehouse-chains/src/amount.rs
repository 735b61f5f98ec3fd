//! Amounts: parsing what people type into an exact number of an asset's base units.

use std::fmt;

use crate::asset::Asset;
use crate::error::{AmountError, code};

/// An exact amount of an asset: an integer of base units (satoshis, wei, …) and the asset's decimal places.
///
/// `Display` writes it canonically: a dot for decimals, no thousands separators, trailing zeros trimmed
/// (`1.5`, `2`, `0.00000001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount {
    units: u128,
    decimals: u8,
}

impl Amount {
    /// The amount in base units (1.5 BTC is 150000000).
    pub const fn units(self) -> u128 {
        self.units
    }

    /// The decimal places of the asset it was parsed for.
    pub const fn decimals(self) -> u8 {
        self.decimals
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `parse_amount` only builds amounts whose scale fits in u128.
        let scale = 10u128.checked_pow(u32::from(self.decimals)).unwrap_or(1);
        let (whole, fraction) = (self.units / scale, self.units % scale);
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:0width$}", width = usize::from(self.decimals));
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// Parses a positive decimal amount of `asset`: digits, at most one dot, at most `asset.decimals` digits after
/// it. Surrounding whitespace is trimmed. Refused, each with its reason: empty input, signs, exponents,
/// thousands separators or a decimal comma, anything else that is not a plain number, zero, too many decimal
/// places, and amounts too large to represent.
pub fn parse_amount(asset: &Asset, input: &str) -> Result<Amount, AmountError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(AmountError::new(code::EMPTY, "No amount was entered."));
    }
    if text.starts_with('-') || text.starts_with('\u{2212}') {
        return Err(not_positive());
    }
    if text.starts_with('+') {
        return Err(AmountError::new(code::SIGN, "Write the amount without a + sign."));
    }
    if text.contains([',', '\'', '_', ' ', '\u{00A0}', '\u{2009}', '\u{202F}', '\u{2019}']) {
        return Err(AmountError::new(
            code::SEPARATOR,
            "Write the amount without thousands separators and with a dot for decimals, like 1234.56.",
        ));
    }
    if text.contains(['e', 'E']) && text.chars().all(|c| c.is_ascii_digit() || ".eE+-".contains(c)) {
        return Err(AmountError::new(
            code::EXPONENT,
            "Write the amount in full, without an exponent: 0.00001, not 1e-5.",
        ));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let is_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !is_digits(whole) || !is_digits(fraction) {
        return Err(AmountError::new(code::NOT_A_NUMBER, "The amount is not a number."));
    }
    if fraction.len() > usize::from(asset.decimals) {
        return Err(AmountError::new(
            code::TOO_MANY_DECIMALS,
            format!(
                "{} has at most {} decimal place{}.",
                asset.symbol,
                asset.decimals,
                if asset.decimals == 1 { "" } else { "s" }
            ),
        ));
    }
    let too_large = || AmountError::new(code::TOO_LARGE, "The amount is too large.");
    let scale = 10u128.checked_pow(u32::from(asset.decimals)).ok_or_else(too_large)?;
    let whole_units = digits_value(whole).and_then(|value| value.checked_mul(scale)).ok_or_else(too_large)?;
    let missing = usize::from(asset.decimals) - fraction.len();
    let fraction_units = digits_value(fraction)
        .and_then(|value| value.checked_mul(10u128.checked_pow(u32::try_from(missing).ok()?)?))
        .ok_or_else(too_large)?;
    let units = whole_units.checked_add(fraction_units).ok_or_else(too_large)?;
    if units == 0 {
        return Err(not_positive());
    }
    Ok(Amount { units, decimals: asset.decimals })
}

fn not_positive() -> AmountError {
    AmountError::new(code::NOT_POSITIVE, "The amount must be more than zero.")
}

/// The value of a string of ASCII digits (empty is 0), or `None` past u128.
fn digits_value(digits: &str) -> Option<u128> {
    digits.bytes().try_fold(0u128, |value, digit| value.checked_mul(10)?.checked_add(u128::from(digit - b'0')))
}
