"""reportlab's reading of the shipped TrueType fonts, kept in the data folder so a process need not read them again.

Before a PDF can be laid out, reportlab reads each embedded font through,
table by table, in Python: the character map, every glyph's width and where
each glyph lies in the file. For DejaVu Sans, its bold and Noto Sans Arabic
that is about 50 ms of CPU in every process that prints anything, a sixth of
the work of ``placedesk ipa --sign``. What it reads depends only on the font
file and on reportlab, so it is kept after the first reading, in
``<data folder>/cache/font-metrics``, keyed by the font's SHA-256 and
reportlab's version, and read back (a few milliseconds of JSON) instead.

The kept reading is the exact set of attributes reportlab's own reading set
on the face, checked by name on the way back in: a reportlab that reads
something else, or a damaged file, means reading the font again, never a
font missing a measurement. (The file is trusted as the database beside it
is: whoever can rewrite the data folder can rewrite the agreements too.) The font file itself is still
read each time, because reportlab cuts the glyphs a PDF uses from it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from reportlab import Version as REPORTLAB_VERSION
from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

log = logging.getLogger(__name__)

# Changed whenever what is kept changes shape, so older kept readings are left unread.
RECIPE = 1
# Set on a face by reportlab's file parser before its reading starts; not part of what is kept.
_PARSER_STATE = frozenset({"_pos", "_ttf_data", "filename", "validate", "table", "tables", "numTables",
                           "searchRange", "entrySelector", "rangeShift", "version", "subfontNameX"})
# A function of unitsPerEm (see _pdf_scale), rebuilt rather than kept.
_SCALE = "_pdfScale"


def cache_dir() -> Path:
    """Where kept font readings go."""
    from placedesk.config import data_dir

    return data_dir() / "cache" / "font-metrics"


def load_ttfont(name: str, path: Path) -> TTFont:
    """reportlab's ``TTFont(name, path)``, from the kept reading when there is a sound one.

    Raises what ``TTFont`` raises (``OSError``, ``TTFError``) for a missing or
    damaged font file. A kept reading that cannot be read or written only
    costs the time to read the font again.
    """
    data = path.read_bytes()
    kept_file = cache_dir() / f"{_key(data)}.json"
    try:
        return _kept_font(name, path, data, kept_file.read_bytes())
    except OSError:
        pass
    except ValueError as exc:
        log.info("A kept font reading is unusable (%s); reading the font again", exc)
    font = TTFont(name, str(path))
    _keep(font, kept_file)
    return font


def _key(data: bytes) -> str:
    recipe = f"{RECIPE}\nreportlab {REPORTLAB_VERSION}".encode()
    return hashlib.sha256(data).hexdigest()[:16] + "-" + hashlib.sha256(recipe).hexdigest()[:16]


# --- keeping (the first reading) ------------------------------------------------------------


def _keep(font: TTFont, kept_file: Path) -> None:
    from placedesk.fileio import atomic_write_bytes

    face = vars(font.face)
    try:
        reading = {attr: _encode(value) for attr, value in face.items() if attr not in _PARSER_STATE | {_SCALE}}
    except TypeError as exc:
        log.info("This reportlab's font reading cannot be kept (%s)", exc)
        return
    kept = {
        "recipe": RECIPE,
        # Every attribute the real reading left, so a rebuilt font can be checked against it.
        "face_attributes": sorted(face),
        "font_attributes": sorted(vars(font)),
        "reading": reading,
    }
    try:
        atomic_write_bytes(kept_file, json.dumps(kept, separators=(",", ":")).encode("utf-8"))
    except OSError as exc:
        log.info("A font reading could not be kept for next time (%s)", exc.strerror or exc)


def _encode(value: Any) -> Any:
    """``value`` as JSON, tagged with its Python type where JSON would lose it."""
    if value is None or isinstance(value, (bool, int, float)) or type(value) is str:
        return value
    if isinstance(value, TTFNameBytes):
        return {"name": value.ustr}
    if isinstance(value, tuple) and all(_scalar(v) for v in value):
        return {"tuple": list(value)}
    if isinstance(value, list):
        if all(isinstance(v, tuple) and all(_scalar(x) for x in v) for v in value):
            return {"tuples": [list(v) for v in value]}
        if all(_scalar(v) for v in value):
            return {"list": value}
    if isinstance(value, dict) and all(isinstance(k, int) for k in value):
        values = list(value.values())
        if all(_scalar(v) or (isinstance(v, list) and all(_scalar(x) for x in v)) for v in values):
            return {"keys": list(value), "values": values}
    raise TypeError(f"a {type(value).__name__} cannot be kept")


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or type(value) is str


# --- reading back ---------------------------------------------------------------------------


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "name" in value:
        return TTFNameBytes(str(value["name"]).encode("utf-8"))
    if "tuple" in value:
        return tuple(value["tuple"])
    if "tuples" in value:
        return [tuple(v) for v in value["tuples"]]
    if "list" in value:
        return list(value["list"])
    return dict(zip(value["keys"], value["values"], strict=True))


def _pdf_scale(units_per_em: int) -> Callable[[float], float]:
    # As reportlab's reading makes it: font units to thousandths of an em.
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


class _KeptFace(TTFontFace):
    """A face whose reading comes from what was kept instead of from the font file."""

    def __init__(self, path: Path, reading: dict[str, Any]) -> None:
        self._reading = reading
        super().__init__(str(path))

    def extractInfo(self, charInfo: int = 1) -> None:  # noqa: N802 - reportlab's name
        reading = self.__dict__.pop("_reading")
        self.__dict__.update(reading)
        self._pdfScale = _pdf_scale(int(reading["unitsPerEm"]))


class _KeptTTFont(TTFont):
    """``TTFont`` set up as its own ``__init__`` does, around a face read from what was kept."""

    def __init__(self, name: str, path: Path, reading: dict[str, Any]) -> None:
        # Not super().__init__: that reads the whole font file again, which is what is being saved.
        self.fontName = name
        self.face = _KeptFace(path, reading)
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch(name, glob) for glob in ttfonts.unShapedFontGlob or ())


def _kept_font(name: str, path: Path, data: bytes, kept: bytes) -> TTFont:
    """The font rebuilt from a kept reading; ``ValueError`` unless it has exactly what reportlab's own had."""
    try:
        fields = json.loads(kept)
        if fields["recipe"] != RECIPE:
            raise ValueError("kept by another recipe")
        reading = {str(attr): _decode(value) for attr, value in fields["reading"].items()}
        font = _KeptTTFont(name, path, reading)
        face_attributes, font_attributes = list(fields["face_attributes"]), list(fields["font_attributes"])
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a kept font reading ({exc})") from exc
    if sorted(vars(font.face)) != face_attributes or sorted(vars(font)) != font_attributes:
        raise ValueError("it does not match what this reportlab reads")
    if font.face._ttf_data != data:  # the file changed between reading it for the key and now
        raise ValueError("the font file changed while it was read")
    return font
