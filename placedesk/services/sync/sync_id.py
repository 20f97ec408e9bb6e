"""Which id a database's bundles carry: the laptop's own for a file, the server's and the officer's for the team server.

A bundle names the laptop it came from, and a laptop refuses bundles naming
itself (there is nothing in them it lacks). An officer back from a visit imports
their laptop's bundle into the team server from that same laptop, and takes the
server's bundle back the same way, so the team server cannot use the laptop's
id: it has its own, made from the PostgreSQL cluster's system identifier and
the database's name, with the login of the officer exporting. Every officer's
PlaceDesk works it out alike, and each login keeps one signer, as a laptop id
does on colleagues' trust lists.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy.orm import Session

from placedesk.db.postgres import server_identity

SERVER_PREFIX = "SRV"
# Bundle names and manifests take letters, digits and underscores, up to 64 of them.
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def server_sync_id(session: Session) -> str:
    """The team server's sync id for the logged-in officer, like ``SRV3FA2B1C0_akhan``."""
    system, database, login = server_identity(session.connection())
    digest = hashlib.sha256(f"{system}/{database}".encode()).hexdigest()[:8].upper()
    return f"{SERVER_PREFIX}{digest}_{_UNSAFE.sub('_', login)}"[:64]


def sync_id(session: Session, laptop_id: str, *, shared_database: bool) -> str:
    """The id bundles from this database carry: ``laptop_id`` for a laptop's file, the server's own otherwise."""
    return server_sync_id(session) if shared_database else laptop_id
