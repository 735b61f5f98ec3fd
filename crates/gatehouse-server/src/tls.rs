//! The server's TLS: its certificate chain and key from PEM files, rustls with the ring
//! provider, TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1 offered by ALPN.

use std::path::Path;
use std::sync::Arc;

use gatehouse_api::ApiError;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The rustls configuration for `cert` (a PEM chain, leaf first) and `key` (PEM).
pub(crate) fn server_config(cert: &Path, key: &Path) -> Result<ServerConfig, ApiError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|err| tls_error(format!("Could not read the certificate {}: {err}", cert.display())))?;
    if chain.is_empty() {
        return Err(tls_error(format!("{} holds no certificate.", cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|err| tls_error(format!("Could not read the private key {}: {err}", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| tls_error(format!("TLS set-up failed: {err}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|err| tls_error(format!("The certificate and key don't fit together: {err}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn tls_error(message: String) -> ApiError {
    ApiError::new("serve.tls", message)
}
