//! Which server certificates a client accepts: the system's roots, a private CA from a
//! file, or — for a self-signed server — exactly one certificate, by its SHA-256
//! fingerprint, pinned after the user confirmed it. Also reading a server's fingerprint
//! before trusting it, to show the user.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use gatehouse_api::ApiError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

/// A certificate's SHA-256 fingerprint, shown as `AB:CD:…` (32 pairs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of(certificate: &[u8]) -> Self {
        Fingerprint(Sha256::digest(certificate).into())
    }

    /// Reads `AB:CD:…`, with or without colons or spaces, in either case.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let hex: String = text.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
        let invalid = || {
            let mut error = ApiError::new(
                "invalid_input",
                "Fingerprint: expected 64 hexadecimal digits (SHA-256), as AB:CD:… or without colons.",
            );
            error.field = Some("fingerprint".to_owned());
            error
        };
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(invalid());
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        Ok(Fingerprint(bytes))
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pairs: Vec<String> = self.0.iter().map(|byte| format!("{byte:02X}")).collect();
        f.write_str(&pairs.join(":"))
    }
}

/// Which certificates to accept.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Certificates that chain to the operating system's trusted roots.
    SystemRoots,
    /// Certificates that chain to the CA certificates in this PEM file.
    CaFile(PathBuf),
    /// Exactly the certificate with this fingerprint (a self-signed server the user
    /// confirmed); the host name is not checked, the pin is stronger.
    Pinned(Fingerprint),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_error(message: String) -> ApiError {
    ApiError::new("client.tls", message)
}

/// The rustls configuration for `trust`.
pub(crate) fn client_config(trust: &Trust) -> Result<ClientConfig, ApiError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|err| tls_error(format!("TLS set-up failed: {err}")))?;
    let config = match trust {
        Trust::SystemRoots => builder.with_root_certificates(system_roots()?).with_no_client_auth(),
        Trust::CaFile(path) => builder.with_root_certificates(roots_from_file(path)?).with_no_client_auth(),
        Trust::Pinned(fingerprint) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedCertificate::new(Some(fingerprint.clone()))))
            .with_no_client_auth(),
    };
    Ok(config)
}

fn system_roots() -> Result<RootCertStore, ApiError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(tls_error("This computer has no trusted root certificates to check the server with.".to_owned()));
    }
    Ok(roots)
}

fn roots_from_file(path: &std::path::Path) -> Result<RootCertStore, ApiError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|err| tls_error(format!("Could not read the CA file {}: {err}", path.display())))?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(tls_error(format!("{} holds no CA certificate.", path.display())));
    }
    Ok(roots)
}

/// Accepts only the pinned certificate — or, with no pin (reading a server's fingerprint
/// to show it), remembers what was offered and refuses it, so no request is ever sent
/// over a connection the user has not accepted.
#[derive(Debug)]
pub(crate) struct PinnedCertificate {
    pin: Option<Fingerprint>,
    seen: Mutex<Option<Fingerprint>>,
    schemes: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl PinnedCertificate {
    pub(crate) fn new(pin: Option<Fingerprint>) -> Self {
        PinnedCertificate { pin, seen: Mutex::new(None), schemes: provider().signature_verification_algorithms }
    }

    /// The fingerprint of the last certificate offered.
    pub(crate) fn seen(&self) -> Option<Fingerprint> {
        self.seen.lock().ok().and_then(|seen| seen.clone())
    }
}

/// What the pinned verifier says when the certificate is not the confirmed one.
pub(crate) const PIN_MISMATCH: &str = "the server's certificate is not the one you confirmed";

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let offered = Fingerprint::of(end_entity);
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(offered.clone());
        }
        match &self.pin {
            Some(pin) if *pin == offered => Ok(ServerCertVerified::assertion()),
            _ => Err(rustls::Error::General(PIN_MISMATCH.to_owned())),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.schemes)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.schemes)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.supported_schemes()
    }
}
