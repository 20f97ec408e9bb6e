"""PDF signatures with pyHanko: empty fields, the officer's signature, and checking signatures.

Every signature is added as an incremental update, so the bytes the officer
signed stay at the start of any later file: a countersigned agreement is the
officer-signed file plus the provider's update. Checking a signature reports
integrity (is it intact, is the cryptography valid, which bytes it covers,
were later changes only form filling) separately from trust: councils mostly
use self-signed certificates, so an unknown root is reported, not fatal.

The visible stamp embeds DejaVu Sans, like the agreement's own text, so the
officer's name and role print as written, accents and all.

No Qt here: the GUI calls these through a background task, the CLI directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import string
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from placedesk.errors import PlaceDeskError
from placedesk.reports.fonts import FontSet, register_fonts, runs
from placedesk.reports.pyhanko_offline import keep_offline
from placedesk.services.common.parsing import format_uk_time

if TYPE_CHECKING:
    from pyhanko.pdf_utils.font.api import FontEngine
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.pdf_utils.writer import BasePdfFileWriter

log = logging.getLogger(__name__)

# Before any pyHanko import below: PlaceDesk never uses its network clients (see pyhanko_offline).
keep_offline()

# Field names in every agreement PDF; Adobe Reader shows them as the boxes to sign.
LA_FIELD = "CouncilSignature"
PROVIDER_FIELD = "ProviderSignature"

# The visible stamp; the officer's details are filled in as parameters.
_STAMP_TEXT = "Signed by %(signer)s\n%(role)s\n%(organisation)s\nDate: %(signed_at)s"
# pyHanko would stamp the laptop's own zone (UTC on many council builds): the time is given in
# UK local time with its zone (GMT or BST) instead.
_STAMP_DATE = "%d/%m/%Y %H:%M %Z"


class SigningError(PlaceDeskError):
    """A signature could not be made (wrong passphrase, unusable key, damaged PDF)."""


class UnreadablePdf(PlaceDeskError):
    """The bytes are not a PDF PlaceDesk can read (damaged or cut short)."""


@dataclass(frozen=True)
class FieldBox:
    """Where an empty signature field goes: page index from 0, rectangle in points."""

    name: str
    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class SignatureCheck:
    """What checking one embedded signature found."""

    field_name: str
    signer_name: str
    signed_at: dt.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    coverage: str
    # False when changes made after this signature go beyond filling in later signatures.
    changes_allowed: bool
    # Length of the file revision this signature covers (its byte range end).
    signed_length: int
    subject: str
    issuer: str
    serial: str
    certificate_sha256: str

    @property
    def ok(self) -> bool:
        """Intact, cryptographically valid, and nothing forbidden changed after it."""
        return self.intact and self.valid and self.changes_allowed


def add_signature_fields(pdf: bytes, boxes: Iterable[FieldBox]) -> bytes:
    """``pdf`` with an empty signature field in each box (one incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    boxes = list(boxes)
    if not boxes:
        return pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for box in boxes:
        append_signature_field(writer, SigFieldSpec(sig_field_name=box.name, on_page=box.page, box=box.box))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_text_at(pdf: bytes, page: int, x: float, y: float, text: str, size: float = 9) -> bytes:
    """``pdf`` with ``text`` (digits and '/', as in a date) drawn at (x, y) on a page, as one
    incremental update: the bytes before it are unchanged, so what was issued stays inside."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    if not all(c.isascii() and (c.isalnum() or c in "/:. ") for c in text):
        raise ValueError("Only a plain date or time can be written onto an issued agreement.")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    font = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Font"),
        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        generic.NameObject("/Encoding"): generic.NameObject("/WinAnsiEncoding"),
    }))
    content = f"q 0.122 0.165 0.267 rg BT /PDDate {size:g} Tf {x:.2f} {y:.2f} Td ({text}) Tj ET Q".encode("ascii")
    stream = writer.add_object(generic.StreamObject(stream_data=content))
    resources = generic.DictionaryObject({
        generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/PDDate"): font}),
    })
    writer.add_stream_to_page(page, stream, resources=resources)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def load_signer(p12: bytes, passphrase: str) -> object:
    """A pyHanko signer from PKCS#12 bytes; a wrong passphrase is a clear :class:`SigningError`."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        # Decrypting PKCS#12 is deliberately slow (key stretching): do it once.
        key, cert, others = pkcs12.load_key_and_certificates(p12, passphrase.encode("utf-8"))
    except ValueError as exc:
        raise SigningError(
            "The passphrase does not open this signing identity (or the file is not a PKCS#12 "
            "identity). Check the passphrase and try again."
        ) from exc
    if key is None or cert is None:
        raise SigningError("This PKCS#12 file holds no private key and certificate to sign with.")
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in others])

    class KeptKeySigner(SimpleSigner):
        """Signs with the key already loaded: pyHanko would re-parse (and re-check) it per signature."""

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
            from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
            from pyhanko.sign.general import get_pyca_cryptography_hash

            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if isinstance(key, RSAPrivateKey) and mechanism["algorithm"].native in (
                "rsassa_pkcs1v15", "sha256_rsa", "sha384_rsa", "sha512_rsa"
            ):
                return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            return super().sign_raw(data, digest_algorithm)

    signer = KeptKeySigner(
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
        cert_registry=registry,
    )
    # Room for the CMS signature: fixed overhead plus the certificates it carries. Reserving it
    # up front spares pyHanko a trial signature to measure it.
    signer.reserved_bytes = 8192 + 2 * sum(len(c.dump()) for c in [signer.signing_cert, *registry])  # type: ignore[attr-defined]
    return signer


def signer_name(signer: object) -> str:
    """Who a signer from :func:`load_signer` signs as: the name its certificate gives, as
    :func:`verify_pdf` reports it for the signatures it makes."""
    return _name_of(signer.signing_cert)  # type: ignore[attr-defined]


def _stamp_safe(text: str) -> str:
    """Latin-1 only text for pyHanko's built-in font, used when DejaVu Sans cannot be loaded.

    Accents are dropped rather than the signature failing: a readable name beats none.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    translated = kept.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D"}))
    return translated.encode("latin-1", "replace").decode("latin-1")


def _stamp_text(params: dict[str, str], font_size: int) -> tuple[TextBoxStyle, dict[str, str]]:
    """The stamp's text box style, and ``params`` made printable in it.

    DejaVu Sans (the font the agreement itself embeds) is embedded in the
    stamp, so any script it covers prints with its accents. Text is prepared
    as for the agreement's body: Arabic runs in their joined forms and in
    visual order (HarfBuzz would otherwise set a whole "Signed by" line left
    to right, reversing an Arabic name), and characters the font lacks as '?'
    rather than empty boxes. The font is prepared once per name and kept (see
    :mod:`placedesk.reports.stamp_font`). Without the shipped font or HarfBuzz
    the stamp falls back to the built-in Latin-1 font: the agreement still
    gets signed.
    """
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.text import TextBoxStyle

    latin1 = TextBoxStyle(font_size=font_size), {key: _stamp_safe(value) for key, value in params.items()}
    try:
        from placedesk.reports import stamp_font
    except ImportError as exc:
        log.warning("HarfBuzz is missing (%s); the signature stamp drops accents", exc)
        return latin1
    fonts = register_fonts()
    if not fonts.embedded:
        return latin1  # register_fonts has logged why DejaVu Sans could not be read
    printed = {key: _printable(value, fonts) for key, value in params.items()}
    # Every character the stamp can show, for the font subset: the date's digits and its zone's name
    # (GMT, BST, or an offset such as +05:30).
    chars = _STAMP_TEXT + string.digits + string.ascii_uppercase + "+-:/ " + "".join(printed.values())
    try:
        prepared = stamp_font.prepared_stamp_font("".join(sorted(set(chars))))
    except Exception as exc:  # noqa: BLE001 - a damaged font file must not stop the agreement being signed
        log.warning("The stamp font could not be prepared (%s); the signature stamp drops accents", exc)
        return latin1

    class StampFont(FontEngineFactory):
        """Feeds pyHanko the prepared font from memory."""

        def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: object = None) -> FontEngine:
            # Left to right always: _printable has already put Arabic runs in visual order.
            return stamp_font.StampFontEngine(writer, prepared, font_size, obj_stream)

    # Accents above capitals (Ś, Ŵ) need more room than the default leading, which equals the size.
    style = TextBoxStyle(font=StampFont(), font_size=font_size, leading=round(font_size * 1.3))
    return style, printed


def _printable(text: str, fonts: FontSet) -> str:
    """``text`` as the body prints it, ready to draw left to right in DejaVu Sans alone."""
    drawn = "".join(run for _font, run in runs(text, fonts))
    return "".join(c if ord(c) in fonts.regular_chars or c == "\n" else "?" for c in drawn)


def sign_pdf(
    pdf: bytes,
    field_name: str,
    signer: object,
    *,
    name: str,
    role: str,
    organisation: str,
    reason: str = "Individual Placement Agreement",
    location: str = "",
    image: bytes | None = None,
    signed_at: dt.datetime | None = None,
) -> bytes:
    """Sign the named (existing) field with a visible stamp: name, role, date, optional handwriting.

    The stamp shows ``signed_at`` (default: now) in UK local time with its zone.
    """

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields as sigfields
    from pyhanko.sign import signers
    from pyhanko.stamp import TextStampStyle

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    except (PdfError, ValueError, KeyError) as exc:
        raise UnreadablePdf(f"The agreement PDF could not be read to sign it ({exc}).") from exc
    background = None
    if image:
        background = _signature_image(image)
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule

    # Details go in as parameters, not into the template, so a '%' in a role cannot break it.
    # pyHanko's default stamp text size is 10 pt; beside handwriting only half the box is free.
    text_box_style, text_params = _stamp_text(
        {"signer": name, "role": role, "organisation": organisation,
         "signed_at": format_uk_time(signed_at or dt.datetime.now(dt.UTC))},
        10 if background is None else 8
    )
    extra: dict[str, object] = {}
    if background is not None:
        # Handwriting on the left half, the printed details on the right: neither hides the other.
        extra = {
            "background_layout": SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID, margins=Margins(4, 136, 4, 4)
            ),
            "inner_content_layout": SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MAX, y_align=AxisAlignment.ALIGN_MID, margins=Margins(96, 4, 4, 4)
            ),
        }
    style = TextStampStyle(
        stamp_text=_STAMP_TEXT,
        timestamp_format=_STAMP_DATE,
        border_width=1,
        background=background,
        background_opacity=1.0,
        text_box_style=text_box_style,
        **extra,  # type: ignore[arg-type]
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=sigfields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
        # /Name is a PDF text string (UTF-16 when needed): it keeps the name exactly. The stamp
        # shows text_params["signer"] instead, prepared for drawing.
        name=name,
    )
    try:
        out = signers.PdfSigner(meta, signer, stamp_style=style).sign_pdf(  # type: ignore[arg-type]
            writer,
            existing_fields_only=True,
            bytes_reserved=getattr(signer, "reserved_bytes", None),
            appearance_text_params=text_params,
        )
    except (PdfError, ValueError, KeyError) as exc:
        raise SigningError(f"The agreement could not be signed: {exc}") from exc
    return out.getvalue()


def _signature_image(image: bytes) -> object:
    from PIL import Image, UnidentifiedImageError
    from pyhanko.pdf_utils.images import PdfImage

    try:
        picture = Image.open(io.BytesIO(image))
        picture.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise SigningError("The handwritten signature image could not be read: use a PNG or JPEG.") from exc
    if picture.mode not in ("RGB", "L"):
        # Flatten transparency onto white: the stamp draws it over the page.
        canvas = Image.new("RGB", picture.size, "white")
        canvas.paste(picture, mask=picture.convert("RGBA").split()[-1])
        picture = canvas
    return PdfImage(picture)


def _reader(pdf: bytes) -> object:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not pdf.lstrip()[:5] == b"%PDF-":
        raise UnreadablePdf("This is not a PDF file.")
    if b"%%EOF" not in pdf[-1024:]:
        raise UnreadablePdf("The PDF is cut short (it has no end-of-file marker): it looks truncated.")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        reader.embedded_signatures  # noqa: B018 - forces the form to be parsed now
    except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        # A damaged object can parse as the wrong kind (a null where a dictionary belongs), which
        # pyHanko reports as an AttributeError rather than a PdfError.
        raise UnreadablePdf(f"The PDF is damaged and could not be read ({exc}).") from exc
    return reader


def document_keywords(pdf: bytes) -> str:
    """The PDF's Keywords entry (PlaceDesk puts the agreement reference and version there)."""
    from pyhanko.pdf_utils.misc import PdfError

    reader = _reader(pdf)
    try:
        info = reader.trailer_view["/Info"]  # type: ignore[attr-defined]
        return str(info.get("/Keywords", ""))
    except (KeyError, AttributeError):
        return ""
    except (PdfError, ValueError, IndexError, TypeError) as exc:
        # The information dictionary is read only now, so damage inside it shows here.
        raise UnreadablePdf(f"The PDF is damaged and could not be read ({exc}).") from exc


def signature_field_names(pdf: bytes) -> list[str]:
    """Names of all signature fields, signed or empty."""
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = _reader(pdf)
    return [name for name, _value, _ref in enumerate_sig_fields(reader, filled_status=None)]  # type: ignore[arg-type]


def _name_of(cert: object) -> str:
    native = cert.subject.native  # type: ignore[attr-defined]
    return str(native.get("common_name") or native.get("organization_name") or cert.subject.human_friendly)  # type: ignore[attr-defined]


@contextlib.contextmanager
def _quiet_trust_warnings() -> Iterator[None]:
    """pyHanko logs a traceback for every self-signed certificate; here that is the norm."""
    noisy = logging.getLogger("pyhanko.sign.validation.generic_cms")
    level = noisy.level
    noisy.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        noisy.setLevel(level)


def verify_pdf(pdf: bytes, trust_roots: Sequence[bytes] = ()) -> list[SignatureCheck]:
    """Check every signature in ``pdf``; trust is reported, never required.

    ``trust_roots`` are DER certificates the council trusts (for example its
    own CA). Raises :class:`UnreadablePdf` for a file that is not a readable PDF.
    """
    from asn1crypto import x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = _reader(pdf)
    roots = [x509.Certificate.load(der) for der in trust_roots]
    checks: list[SignatureCheck] = []
    for embedded in reader.embedded_signatures:  # type: ignore[attr-defined]
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            cert = embedded.signer_cert
            with _quiet_trust_warnings():
                status = validate_pdf_signature(embedded, signer_validation_context=context)
        except Exception as exc:  # noqa: BLE001 - a signature that cannot be validated is broken
            log.info("signature %s could not be validated: %s", embedded.field_name, type(exc).__name__)
            checks.append(_broken(embedded))
            continue
        coverage = status.coverage
        whole = coverage == SignatureCoverageLevel.ENTIRE_FILE
        changes_ok = whole or bool(status.docmdp_ok)
        checks.append(
            SignatureCheck(
                field_name=embedded.field_name,
                signer_name=_name_of(cert),
                signed_at=status.signer_reported_dt,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                covers_whole_file=whole,
                coverage=_coverage_label(coverage),
                changes_allowed=changes_ok,
                signed_length=_signed_length(embedded),
                subject=cert.subject.human_friendly,
                issuer=cert.issuer.human_friendly,
                serial=format(cert.serial_number, "x"),
                certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
            )
        )
    return checks


def _broken(embedded: object) -> SignatureCheck:
    """A signature whose data is damaged: report what can still be read, all checks failed."""
    subject = issuer = serial = digest = ""
    name = "unknown signer"
    try:
        cert = embedded.signer_cert  # type: ignore[attr-defined]
        name, subject, issuer = _name_of(cert), cert.subject.human_friendly, cert.issuer.human_friendly
        serial, digest = format(cert.serial_number, "x"), hashlib.sha256(cert.dump()).hexdigest()
    except Exception:  # noqa: BLE001 - the certificate itself may be what is damaged
        pass
    try:
        length = _signed_length(embedded)
    except (KeyError, TypeError, ValueError, IndexError):
        length = 0
    return SignatureCheck(
        field_name=embedded.field_name,  # type: ignore[attr-defined]
        signer_name=name,
        signed_at=None,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_file=False,
        coverage="unknown (the signature is damaged)",
        changes_allowed=False,
        signed_length=length,
        subject=subject,
        issuer=issuer,
        serial=serial,
        certificate_sha256=digest,
    )


def _signed_length(embedded: object) -> int:
    byte_range = embedded.sig_object["/ByteRange"]  # type: ignore[attr-defined]
    return int(byte_range[2]) + int(byte_range[3])


def _coverage_label(coverage: object) -> str:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return {
        SignatureCoverageLevel.ENTIRE_FILE: "whole document",
        SignatureCoverageLevel.ENTIRE_REVISION: "an earlier revision (later changes follow)",
        SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "part of the file",
        SignatureCoverageLevel.UNCLEAR: "unclear",
    }.get(coverage, str(coverage))  # type: ignore[call-overload]


__all__ = [
    "LA_FIELD",
    "PROVIDER_FIELD",
    "FieldBox",
    "SignatureCheck",
    "SigningError",
    "UnreadablePdf",
    "add_signature_fields",
    "document_keywords",
    "load_signer",
    "sign_pdf",
    "signature_field_names",
    "signer_name",
    "verify_pdf",
]
