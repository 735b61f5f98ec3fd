//! QR codes of `otpauth://` URIs, as SVG for the UI (the `qrcode` crate).

use qrcode::QrCode;
use qrcode::render::svg;

use crate::ApiError;

/// `text` as an SVG QR code, black on white with a quiet zone, sized by the viewBox.
pub fn svg(text: &str) -> Result<String, ApiError> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|err| ApiError::new("internal", format!("could not draw the QR code: {err}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}
