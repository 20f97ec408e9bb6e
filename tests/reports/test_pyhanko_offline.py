"""pyHanko loads without its network clients: no aiohttp on a signing command, and no server is ever asked."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys
from placedesk.reports import signing
import pyhanko.sign, pyhanko.sign.fields, pyhanko.sign.validation, pyhanko.stamp
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.fetchers import aiohttp_fetchers
from placedesk.reports.pyhanko_offline import OfflineOnly
print("aiohttp" in sys.modules)
for client in (lambda: HTTPTimeStamper("http://tsa.example"), aiohttp_fetchers.AIOHttpFetcherBackend):
    try:
        client()
    except OfflineOnly as exc:
        print(exc)
"""


def test_signing_modules_load_without_aiohttp_and_refuse_to_contact_servers() -> None:
    # A new process, as the command line is: this test run may have loaded pyHanko's own clients already.
    done = subprocess.run([sys.executable, "-c", _PROBE],
                          capture_output=True, text=True, check=True)
    first, *refusals = done.stdout.splitlines()
    assert first == "False"
    assert refusals == ["PlaceDesk works offline: it does not contact timestamp, OCSP or certificate servers."] * 2
