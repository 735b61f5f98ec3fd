//! Bearer tokens: 256 random bits, base64url, behind a prefix that names the kind
//! (`ghs_` session, `ghc_` sign-in challenge) so scanners and people recognise them.
//! Only a SHA-256 of a token is ever stored.

/// Defines a token type: redacted `Debug`, wiped on drop, generate/parse/expose/hash.
macro_rules! token_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $field:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(zeroize::Zeroizing<String>);

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(…)"))
            }
        }

        impl $name {
            pub(crate) fn generate() -> Self {
                $name($crate::tokens::random($prefix))
            }

            /// Checks the shape of a token handed back by a client.
            pub fn parse(text: &str) -> $crate::error::Result<Self> {
                let text = text.trim();
                if !$crate::tokens::well_formed($prefix, text) {
                    return Err($crate::error::Error::invalid($field, concat!("is not a Gatehouse ", $what, ".")));
                }
                Ok($name(zeroize::Zeroizing::new(text.to_owned())))
            }

            /// The token text, for handing to the client.
            pub fn expose(&self) -> &str {
                &self.0
            }

            pub(crate) fn hash(&self) -> Vec<u8> {
                $crate::tokens::hash(&self.0)
            }
        }
    };
}
pub(crate) use token_type;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub(crate) fn random(prefix: &str) -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::fill(&mut bytes[..]);
    Zeroizing::new(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(&bytes[..])))
}

pub(crate) fn well_formed(prefix: &str, text: &str) -> bool {
    let body = text.strip_prefix(prefix).unwrap_or_default();
    body.len() == 43 && URL_SAFE_NO_PAD.decode(body).is_ok_and(|bytes| bytes.len() == 32)
}

pub(crate) fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}
