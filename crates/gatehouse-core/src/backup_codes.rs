//! Backup codes: ten one-time codes like `K7QM3-XD9P0`, in Crockford's base32 — an
//! alphabet made for people: no I, L, O or U, and when typed back O reads as 0 and I or L
//! as 1. Stored only as keyed hashes under the data key.

use zeroize::Zeroizing;

/// How many codes a set has.
pub const COUNT: usize = 10;
/// Characters per code (50 bits).
const LENGTH: usize = 10;
/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh set of codes, formatted for people (`XXXXX-XXXXX`).
pub(crate) fn generate() -> Vec<Zeroizing<String>> {
    (0..COUNT).map(|_| format_code(&random_code())).collect()
}

fn random_code() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; LENGTH]);
    rand::fill(&mut bytes[..]);
    // 256 is a multiple of 32: taking the low five bits is unbiased.
    Zeroizing::new(bytes.iter().map(|b| ALPHABET[usize::from(b & 31)] as char).collect())
}

fn format_code(code: &str) -> Zeroizing<String> {
    Zeroizing::new(format!("{}-{}", &code[..LENGTH / 2], &code[LENGTH / 2..]))
}

/// The most characters a second-factor answer is typed with: a backup code (ten
/// characters, dashes and spaces allowed) or an authenticator code.
pub const ANSWER_INPUT_MAX_CHARS: usize = 16;

/// What the user typed, reduced to the code's characters: case, spaces and dashes don't
/// matter, and look-alikes are read as Crockford says. `None` when it cannot be a code.
pub(crate) fn normalise(input: &str) -> Option<Zeroizing<String>> {
    if input.chars().count() > ANSWER_INPUT_MAX_CHARS {
        return None;
    }
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    let valid = code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then(|| Zeroizing::new(code))
}
