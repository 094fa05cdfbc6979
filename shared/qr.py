"""A QR code as an SVG data URI: drawn on the server so a page shows it in an <img> under the
CSP (img-src 'self' data:) with no script of its own. The authenticator-app enrolment shows its
otpauth URI this way beside the secret's text (web/factors.py)."""
from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg


def svg_data_uri(text: str, box_size: int = 10) -> str:
    buf = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()
