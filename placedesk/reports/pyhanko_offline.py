"""pyHanko without its network clients: PlaceDesk signs and checks PDFs offline.

Every pyHanko signing module imports, through the signer, pyHanko's HTTP
timestamp client and its AdES validation's HTTP fetchers for certificates,
CRLs and OCSP, and both import aiohttp: about a seventh of a second on every
signing command, and two TLS contexts loaded with the system's certificates,
for clients PlaceDesk never uses (nothing leaves the laptop; a signature
carries its signing time, not a timestamp server's token, and certificates
are checked without fetching anything). :func:`keep_offline` puts modules of
the same names in their place before pyHanko is first imported, whose
clients refuse to be made.
"""

from __future__ import annotations

import sys
import types

from placedesk.errors import PlaceDeskError

# The modules that import aiohttp, and the names pyHanko imports from each.
NETWORK_MODULES = {
    "pyhanko.sign.timestamps.aiohttp_client": ("HTTPTimeStamper", "AIOHttpTimeStamper"),
    "pyhanko_certvalidator.fetchers.aiohttp_fetchers": ("AIOHttpFetcherBackend",),
}

class OfflineOnly(PlaceDeskError):
    """Something asked pyHanko to contact a server, which PlaceDesk never does."""


class _NoServer:
    """Takes the place of pyHanko's network clients: PlaceDesk never contacts a server."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        raise OfflineOnly("PlaceDesk works offline: it does not contact timestamp, OCSP or certificate servers.")


def keep_offline() -> None:
    """Make pyHanko load without its network clients (and aiohttp), where they are not loaded yet."""
    for name, client_names in NETWORK_MODULES.items():
        if name in sys.modules:
            continue
        module = types.ModuleType(name, _NoServer.__doc__)
        for client in client_names:
            setattr(module, client, _NoServer)
        module.__all__ = list(client_names)  # type: ignore[attr-defined]
        sys.modules[name] = module


# pyHanko's XMP metadata support, an optional part of it that loads lxml.
XMP_MODULE = "pyhanko.pdf_utils.metadata.xmp_xml"


def without_xmp() -> None:
    """Let pyHanko take its XMP support as not installed, in a process that signs only PlaceDesk's agreements.

    pyHanko loads it on every save just to ask whether the document carries XMP
    metadata or is PDF 2.0; an agreement PlaceDesk renders is PDF 1.4 with none,
    so nothing would be written with it, and lxml costs a few hundredths of a
    second. pyHanko treats the module as optional and keeps the document
    information dictionary up to date without it. Only for the one-shot
    ``ipa --sign`` command: the window also reads providers' files, which may
    carry XMP.
    """
    sys.modules.setdefault(XMP_MODULE, None)  # type: ignore[arg-type]


__all__ = ["NETWORK_MODULES", "XMP_MODULE", "OfflineOnly", "keep_offline", "without_xmp"]
