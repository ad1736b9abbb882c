//! A QR code as SVG, drawn on this machine: the enrolment URI holds the TOTP secret, so it is
//! never sent to a QR service.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG document of a QR code for `text`; `None` if the text is too long for one.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(code.render::<svg::Color<'_>>().min_dimensions(240, 240).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_document() {
        let svg =
            qr_svg("otpauth://totp/Rampart:ada%40example.com?secret=ABC&issuer=Rampart").unwrap();
        assert!(svg.starts_with("<?xml"), "{svg}");
        assert!(svg.contains("<svg"));
    }
}
