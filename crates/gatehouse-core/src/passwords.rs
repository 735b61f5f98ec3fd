//! Password rules and argon2id hashing. Hashes are PHC strings, so their parameters travel
//! with them and a parameter change is detected at the next sign-in (rehash). Hashing runs
//! on a blocking thread, never on the async runtime.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Shortest password accepted, in characters.
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Longest password accepted, in characters.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Hashes and verifies passwords with argon2id at fixed parameters.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random password, verified against when an email is unknown so that
    /// "no such account" costs the same time as "wrong password".
    dummy_hash: String,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHasher({})", self.params)
    }
}

/// The result of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The password matches.
    pub matches: bool,
    /// The hash was made with other parameters and should be replaced.
    pub needs_rehash: bool,
}

impl PasswordHasher {
    /// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
    pub fn owasp_minimum() -> Result<Self> {
        Self::new(19 * 1024, 2, 1)
    }

    /// argon2id with `memory_kib` KiB, `iterations` passes and `lanes` lanes.
    pub fn new(memory_kib: u32, iterations: u32, lanes: u32) -> Result<Self> {
        let params = Params::new(memory_kib, iterations, lanes, None)
            .map_err(|err| Error::Internal(format!("bad argon2 parameters: {err}")))?;
        let mut random = Zeroizing::new([0u8; 32]);
        rand::fill(&mut random[..]);
        let dummy_hash = hash_blocking(&params, &random[..])?;
        Ok(PasswordHasher { params, dummy_hash })
    }

    /// Hashes a password (on a blocking thread).
    pub async fn hash(&self, password: &str) -> Result<String> {
        let params = self.params.clone();
        let password = Zeroizing::new(password.to_owned());
        run_blocking(move || hash_blocking(&params, password.as_bytes())).await?
    }

    /// Verifies a password against `stored`, or against the dummy hash when there is no
    /// stored hash (unknown account) so both cases take the same time.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verified> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let params = self.params.clone();
        let password = Zeroizing::new(password.to_owned());
        let verified = run_blocking(move || verify_blocking(&params, password.as_bytes(), &stored)).await?;
        Ok(Verified { matches: verified.matches && known, needs_rehash: verified.needs_rehash })
    }

    /// Verifies on the calling thread; for benchmarks that measure argon2 alone.
    pub fn verify_now(&self, password: &str, stored: &str) -> Verified {
        verify_blocking(&self.params, password.as_bytes(), stored)
    }
}

/// Checks a new password: 8–128 characters and not easily guessed (zxcvbn score 2 or more,
/// taking the user's own email and name into account). Returns the score (0–4), which is
/// kept for the security checkup; the password never is.
pub(crate) fn check_new_password(password: &str, user_inputs: &[&str]) -> Result<u8> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(weak(format!("Use at least {PASSWORD_MIN_CHARS} characters.")));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(weak(format!("Use at most {PASSWORD_MAX_CHARS} characters.")));
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    let score = u8::from(estimate.score());
    if score < 2 {
        let advice = estimate
            .feedback()
            .map(|feedback| feedback.to_string().trim().to_owned())
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| "Add more words or characters.".to_owned());
        return Err(weak(format!("This password is too easy to guess. {advice}")));
    }
    Ok(score)
}

/// Refuses passwords that cannot be right before spending time on a hash.
pub(crate) fn check_password_input(password: &str) -> Result<()> {
    if password.is_empty() {
        return Err(Error::invalid("Password", "enter your password."));
    }
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(Error::invalid("Password", format!("must be at most {PASSWORD_MAX_CHARS} characters.")));
    }
    Ok(())
}

fn weak(reason: String) -> Error {
    Error::WeakPassword { reason }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &[u8]) -> Result<String> {
    argon2(params)
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|err| Error::Internal(format!("password hashing failed: {err}")))
}

fn verify_blocking(params: &Params, password: &[u8], stored: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verified { matches: false, needs_rehash: true };
    };
    let matches = argon2(params).verify_password(password, &parsed).is_ok();
    Verified { matches, needs_rehash: !same_parameters(&parsed, params) }
}

fn same_parameters(hash: &PasswordHash, params: &Params) -> bool {
    let Ok(stored) = Params::try_from(hash) else {
        return false;
    };
    hash.algorithm.as_str() == Algorithm::Argon2id.as_str()
        && hash.version == Some(Version::V0x13.into())
        && stored.m_cost() == params.m_cost()
        && stored.t_cost() == params.t_cost()
        && stored.p_cost() == params.p_cost()
}

async fn run_blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|err| Error::Internal(format!("password worker failed: {err}")))
}
