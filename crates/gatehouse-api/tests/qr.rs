//! The enrolment QR code decodes, with zbarimg (zbar-tools: a reader nobody here wrote), to
//! exactly the otpauth URI shown beside it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn the_qr_code_decodes_to_the_exact_uri() {
    let uri = "otpauth://totp/Gatehouse:ada%2Btest@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30";
    let svg = gatehouse_api::qr::svg(uri).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{}", &svg[..80]);
    let dir = tempfile::tempdir().unwrap();
    let (svg_path, png_path) = (dir.path().join("qr.svg"), dir.path().join("qr.png"));
    std::fs::write(&svg_path, &svg).unwrap();
    let converted = Command::new("rsvg-convert")
        .args(["--width", "480", "--output"])
        .arg(&png_path)
        .arg(&svg_path)
        .status()
        .expect("rsvg-convert (librsvg2-bin) is installed by scripts/setup");
    assert!(converted.success());
    let decoded = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&png_path)
        .output()
        .expect("zbarimg (zbar-tools) is installed by scripts/setup");
    assert!(decoded.status.success(), "{}", String::from_utf8_lossy(&decoded.stderr));
    assert_eq!(String::from_utf8(decoded.stdout).unwrap().trim_end(), uri);
}
