//! Time-based one-time passwords (RFC 6238) as every authenticator app reads them:
//! SHA-1, 6 digits, 30-second steps, a 160-bit random secret; codes from one step before
//! or after the current one are accepted, and a step already used is refused (replay).

use totp_rs::{Algorithm, Builder, Secret, Totp};
use zeroize::Zeroizing;

use crate::clock::Timestamp;
use crate::error::{Error, Result};

/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Gatehouse";
/// Steps of clock drift tolerated either way.
const DRIFT_STEPS: u64 = 1;

/// A new random 160-bit secret.
pub(crate) fn generate_secret() -> Zeroizing<Vec<u8>> {
    let mut secret = Zeroizing::new(vec![0u8; 20]);
    rand::fill(&mut secret[..]);
    secret
}

/// The secret in base32 (RFC 4648, no padding), as authenticator apps take it.
pub fn base32(secret: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(Secret::from(secret).to_base32().trim_end_matches('=').to_owned())
}

/// The secret in base32, in groups of four for typing by hand: `JBSW Y3DP …`.
pub fn grouped(base32: &str) -> Zeroizing<String> {
    let chars: Vec<char> = base32.chars().collect();
    Zeroizing::new(chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join(" "))
}

/// The `otpauth://` URI of an account's secret (what the QR code holds).
pub fn otpauth_uri(account: &str, secret: &[u8]) -> Zeroizing<String> {
    let label = format!("{ISSUER}:{account}");
    Zeroizing::new(format!(
        "otpauth://totp/{}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent_encode(&label),
        base32(secret).as_str(),
    ))
}

/// Encodes everything outside RFC 3986's unreserved set (the label holds an email).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The time step containing `at`.
pub fn step_of(at: Timestamp) -> u64 {
    u64::try_from(at.as_millis()).unwrap_or(0) / 1000 / STEP_SECONDS
}

/// The most characters an authenticator code is typed with (six digits, spaces allowed).
pub const CODE_INPUT_MAX_CHARS: usize = 12;

/// Normalises what the user typed (spaces are allowed: "123 456").
pub(crate) fn normalise(code: &str) -> Option<String> {
    if code.chars().count() > CODE_INPUT_MAX_CHARS {
        return None;
    }
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == usize::from(DIGITS) && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// The step (within the drift window around `at`) whose code is `code` and that is newer
/// than `last_used`; `None` when the code is wrong, too old, or already used.
pub fn matching_step(secret: &[u8], code: &str, at: Timestamp, last_used: Option<u64>) -> Result<Option<u64>> {
    let Some(code) = normalise(code) else { return Ok(None) };
    let totp = totp(secret)?;
    let now = step_of(at);
    let first = now.saturating_sub(DRIFT_STEPS).max(last_used.map_or(0, |last| last + 1));
    Ok((first..=now + DRIFT_STEPS).find(|step| totp.check(&code, step * STEP_SECONDS).is_some()))
}

/// The code for the step containing `at` (for tests and the CLI's own checks).
pub fn code_at(secret: &[u8], at: Timestamp) -> Result<String> {
    Ok(totp(secret)?.generate(step_of(at) * STEP_SECONDS).to_string())
}

fn totp(secret: &[u8]) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP_SECONDS)
        // The drift window is walked step by step above, to skip used steps.
        .with_skew(0)
        .with_secret(secret)
        .build()
        .map_err(|err| Error::Internal(format!("bad TOTP secret: {err}")))
}
