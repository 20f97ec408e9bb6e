"""The team trust list: the colleagues (or council CAs) whose signed bundles this laptop accepts.

A colleague's certificate is trusted once, deliberately, after comparing its
SHA-256 fingerprint with them over the phone (as SSH and Signal do). The list
lives beside the officer's own signing identity as ``signing/colleagues.json``
and also remembers which laptop ids each certificate signs for: a laptop id is
bound to the first certificate seen signing for it (from the colleague's
exported certificate file, from a bundle trusted in the preview, or from the
first bundle imported), so a trusted colleague cannot pass a bundle off as
another's laptop. Removing a colleague revokes them and their laptops.

A council CA may be trusted instead of each colleague: a certificate it issued
directly is then trusted too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.fileio import atomic_write_bytes
from placedesk.services.sync.bundle_format import Manifest, open_bundle
from placedesk.services.sync.bundle_signing import (
    SignatureCheck,
    SignerError,
    common_name,
    fingerprint_of,
    same_officer,
    spoken_fingerprint,
    verify_manifest_signature,
)

TRUST_FILE = "colleagues.json"
_FORMAT = "placedesk-colleagues"
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----")
_LAPTOP_LINE = re.compile(r"^Laptop:\s*([A-Za-z0-9_]{1,64})\s*$", re.MULTILINE)


def trust_path() -> Path:
    from placedesk.services.agreements.identity import identity_dir

    return identity_dir() / TRUST_FILE


@dataclass(frozen=True)
class Colleague:
    """One trusted certificate: a colleague's own, or a council CA's."""

    name: str
    fingerprint: str
    certificate_pem: str
    authority: bool
    not_after: dt.datetime
    added_at: dt.datetime

    def certificate(self) -> Any:
        from cryptography import x509

        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "fingerprint": self.fingerprint, "authority": self.authority,
                "not_after": self.not_after.isoformat(), "added_at": self.added_at.isoformat(),
                "certificate": self.certificate_pem}


@dataclass(frozen=True)
class TrustedSigner:
    """A signer that passed every check: who they are and what vouched for them."""

    name: str
    fingerprint: str
    via: Colleague


@dataclass
class TrustList:
    """The trusted certificates and which laptop each signs for."""

    colleagues: list[Colleague] = field(default_factory=list)
    laptops: dict[str, str] = field(default_factory=dict)
    changed: bool = False

    def find(self, fingerprint: str) -> Colleague | None:
        for colleague in self.colleagues:
            if colleague.fingerprint == fingerprint:
                return colleague
        return None

    def laptops_of(self, fingerprint: str) -> list[str]:
        return sorted(laptop for laptop, owner in self.laptops.items() if owner == fingerprint)

    def add(self, certificate: Any, *, now: dt.datetime, laptops: tuple[str, ...] = ()) -> Colleague:
        """Trust ``certificate`` (a colleague's, or a CA's) and bind ``laptops`` to it."""
        from cryptography import x509

        fingerprint = fingerprint_of(certificate)
        if certificate.not_valid_after_utc < now:
            raise ValidationError(f"That certificate ({common_name(certificate)}) expired on "
                                  f"{certificate.not_valid_after_utc:%d/%m/%Y}; ask for their current one.",
                                  "certificate")
        try:
            constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
            authority = bool(constraints.ca)
        except x509.ExtensionNotFound:
            authority = False
        colleague = self.find(fingerprint)
        if colleague is None:
            from cryptography.hazmat.primitives import serialization

            colleague = Colleague(common_name(certificate), fingerprint,
                                  certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                                  authority, certificate.not_valid_after_utc, now)
            self.colleagues.append(colleague)
        for laptop in laptops:
            self.laptops[laptop] = fingerprint
        self.changed = True
        return colleague

    def remove(self, who: str) -> list[Colleague]:
        """Stop trusting everyone named ``who`` (or with that fingerprint); their laptops go too."""
        wanted = who.replace(" ", "").replace(":", "").lower()
        gone = [c for c in self.colleagues
                if same_officer(c.name, who) or (len(wanted) >= 8 and c.fingerprint.startswith(wanted))]
        if not gone:
            raise ValidationError(f"No trusted colleague is called {who!r}. 'placedesk colleagues list' shows them.",
                                  "name")
        fingerprints = {c.fingerprint for c in gone}
        self.colleagues = [c for c in self.colleagues if c.fingerprint not in fingerprints]
        self.laptops = {k: v for k, v in self.laptops.items() if v not in fingerprints}
        self.changed = True
        return gone

    def _vouching(self, certificate: Any, fingerprint: str, now: dt.datetime) -> Colleague | None:
        direct = self.find(fingerprint)
        if direct is not None and not direct.authority:
            return direct
        for authority in self.colleagues:
            if not authority.authority or authority.not_after < now:
                continue
            try:
                certificate.verify_directly_issued_by(authority.certificate())
            except Exception:  # not issued by this CA (any mismatch of names, keys or signature)
                continue
            return authority
        return None

    def check(self, signature: SignatureCheck, manifest: Manifest, *, now: dt.datetime) -> TrustedSigner:
        """Judge a bundle's intact signature: trusted, in date, and naming the signer's officer and laptop.

        A laptop id not yet bound to anyone passes; :meth:`bind` binds it once the import worked.
        """
        cert, fp = signature.certificate, signature.fingerprint
        spoken = spoken_fingerprint(fp)
        via = self._vouching(cert, fp, now)
        if via is None:
            raise SignerError(
                f"The bundle is signed by {signature.name}, whose certificate is not on your trust list "
                f"(fingerprint {spoken}). If you expect bundles from them, compare this fingerprint with them "
                "over the phone, then trust them in File › Colleagues… or with 'placedesk colleagues add'. "
                "Nothing was imported.", reason="untrusted", fingerprint=fp, check=signature)
        if cert.not_valid_after_utc < now or cert.not_valid_before_utc > now:
            raise SignerError(
                f"The bundle is signed with {signature.name}'s certificate, which is valid only from "
                f"{cert.not_valid_before_utc:%d/%m/%Y} to {cert.not_valid_after_utc:%d/%m/%Y} "
                f"(fingerprint {spoken}). Ask them for their current certificate and to export again. "
                "Nothing was imported.", reason="expired", fingerprint=fp, check=signature)
        if not same_officer(manifest.officer, signature.name):
            raise SignerError(
                f"The bundle says it was made by {manifest.officer!r} but it is signed by {signature.name} "
                f"(fingerprint {spoken}). It was rejected; nothing was imported.",
                reason="officer", fingerprint=fp, check=signature)
        owner = self.laptops.get(manifest.laptop_id)
        if owner is not None and owner != fp:
            known = self.find(owner)
            holder = known.name if known else "another certificate"
            raise SignerError(
                f"The bundle says it comes from laptop {manifest.laptop_id}, which signs with {holder}'s "
                f"certificate, but it is signed by {signature.name} (fingerprint {spoken}). It was rejected; "
                "nothing was imported.", reason="laptop", fingerprint=fp, check=signature)
        return TrustedSigner(signature.name, fp, via)

    def bind(self, laptop_id: str, fingerprint: str) -> None:
        """Remember that ``laptop_id`` signs with this certificate (``changed`` tells the caller to save)."""
        if self.laptops.get(laptop_id) != fingerprint:
            self.laptops[laptop_id] = fingerprint
            self.changed = True


def load_trust(path: Path | None = None) -> TrustList:
    """The trust list kept on this laptop (empty when none was made yet)."""
    target = path or trust_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return TrustList()
    except OSError as exc:
        raise PlaceDeskError(f"The trust list {target} could not be read ({exc.strerror or exc}).") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        if data.get("format") != _FORMAT:
            raise ValueError("not a trust list")
        colleagues = [Colleague(str(c["name"]), str(c["fingerprint"]), str(c["certificate"]), bool(c["authority"]),
                                dt.datetime.fromisoformat(c["not_after"]), dt.datetime.fromisoformat(c["added_at"]))
                      for c in data["colleagues"]]
        laptops = {str(k): str(v) for k, v in data["laptops"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise PlaceDeskError(f"The trust list {target} is damaged, so no bundle can be checked against it. Restore it "
                             "from a backup or remove it and trust your colleagues again.") from None
    return TrustList(colleagues, laptops)


def save_trust(trust: TrustList, path: Path | None = None) -> None:
    target = path or trust_path()
    data = {"format": _FORMAT, "version": 1, "colleagues": [c.to_json() for c in trust.colleagues],
            "laptops": dict(sorted(trust.laptops.items()))}
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, json.dumps(data, indent=1).encode("utf-8"))
    trust.changed = False


def read_certificate_file(path: Path) -> tuple[Any, tuple[str, ...]]:
    """A certificate (PEM or DER) and any laptop ids its PlaceDesk export file names."""
    from cryptography import x509

    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path} could not be read ({exc.strerror or exc}).", "certificate") from None
    match = _PEM.search(raw)
    try:
        certificate = (x509.load_pem_x509_certificate(match.group(0)) if match
                       else x509.load_der_x509_certificate(raw))
    except ValueError:
        raise ValidationError(f"{Path(path).name} is not a certificate PlaceDesk can read (use the .pem file a "
                              "colleague exported with 'placedesk colleagues export', or a .cer/.crt).",
                              "certificate") from None
    head = raw[:match.start()] if match else b""
    laptops = tuple(_LAPTOP_LINE.findall(head.decode("utf-8", "replace")))
    return certificate, laptops


def add_colleague(path: Path, *, now: dt.datetime) -> Colleague:
    """Trust the certificate in ``path`` (and the laptops its export file names); saved at once."""
    certificate, laptops = read_certificate_file(path)
    trust = load_trust()
    colleague = trust.add(certificate, now=now, laptops=laptops)
    save_trust(trust)
    return colleague


def remove_colleague(who: str) -> list[Colleague]:
    trust = load_trust()
    gone = trust.remove(who)
    save_trust(trust)
    return gone


def export_own_certificate(target: Path, *, laptop_id: str, certificate_pem: bytes) -> Path:
    """Write this officer's certificate, with the laptop it signs for, for colleagues to add."""
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(certificate_pem)
    fp = fingerprint_of(certificate)
    head = (f"PlaceDesk colleague certificate\nName: {common_name(certificate)}\nLaptop: {laptop_id}\n"
            f"SHA-256 fingerprint: {spoken_fingerprint(fp)}\n"
            f"Valid until: {certificate.not_valid_after_utc:%d/%m/%Y}\n")
    target = Path(target)
    if target.is_dir():
        target = target / f"placedesk-certificate-{laptop_id}.pem"
    atomic_write_bytes(target, head.encode("utf-8") + certificate_pem)
    return target


@dataclass(frozen=True)
class BundlePreview:
    """Who made a bundle, when, and what is in it, read without importing anything."""

    officer: str
    laptop_id: str
    created_at: dt.datetime
    record_counts: dict[str, int]
    signer: SignatureCheck | None
    trusted: bool
    problem: str | None
    reason: str | None = None

    @property
    def records(self) -> int:
        return sum(self.record_counts.values())

    def lines(self) -> list[str]:
        out = [f"Made by {self.officer or 'an unnamed officer'} on laptop {self.laptop_id}, "
               f"{self.created_at:%d/%m/%Y %H:%M} UTC, holding {self.records:,} record(s)."]
        if self.signer is not None:
            out.append(f"Signed by {self.signer.name}; certificate fingerprint {spoken_fingerprint(self.signer.fingerprint)}.")
        if self.trusted:
            out.append("Trusted: you may import it.")
        elif self.reason == "untrusted":
            out.append("Not on your trust list: compare the fingerprint with them before you trust them.")
        else:
            out.append(f"Not importable: {self.problem}")
        return out


def preview_bundle(path: Path, trust: TrustList, *, now: dt.datetime) -> BundlePreview:
    """Look at a bundle's manifest and signer without importing it (no database is touched)."""
    with open_bundle(Path(path)) as bundle:
        manifest = bundle.manifest
        signer: SignatureCheck | None = None
        problem: str | None = None
        reason: str | None = None
        try:
            signer = verify_manifest_signature(bundle.manifest_bytes, bundle.signature)
            trust.check(signer, manifest, now=now)
        except SignerError as exc:
            problem, reason = str(exc), exc.reason
    return BundlePreview(manifest.officer, manifest.laptop_id, manifest.created_at, dict(manifest.record_counts),
                         signer, problem is None, problem, reason)


def trust_bundle_signer(path: Path, *, now: dt.datetime) -> Colleague:
    """Trust whoever signed the bundle at ``path`` (after the officer compared the fingerprint); saved at once."""
    with open_bundle(Path(path)) as bundle:
        signer = verify_manifest_signature(bundle.manifest_bytes, bundle.signature)
        manifest = bundle.manifest
    if not same_officer(manifest.officer, signer.name):
        raise ValidationError(f"The bundle names {manifest.officer!r} but is signed by {signer.name}: "
                              "do not trust it.", "bundle")
    trust = load_trust()
    colleague = trust.add(signer.certificate, now=now, laptops=(manifest.laptop_id,))
    save_trust(trust)
    return colleague
