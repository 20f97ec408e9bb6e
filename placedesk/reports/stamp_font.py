"""The signature stamp's font: DejaVu Sans cut to the stamp's characters, prepared once and kept.

An officer signs agreement after agreement with the same name, role and
council. Cutting DejaVu Sans down to those characters takes fontTools longer
than signing, and even loading fontTools and pyHanko's OpenType support
(which reads and cuts the font again in every signature) costs a tenth of a
second in every ``placedesk ipa --sign``. So the font is prepared once, with
fontTools, into a :class:`StampFont`: the cut-down font HarfBuzz shapes the
text with, the copy the PDF carries, and the few measurements a PDF font
description needs. It is kept in ``<data folder>/cache/stamp-fonts``, keyed
by the shipped font's SHA-256 and the characters (a new PlaceDesk with another
font, or a new name, prepares a new one); it holds no name, only glyphs.

Signing then draws with :class:`StampFontEngine`, which needs HarfBuzz alone:
it shapes each line as pyHanko's own OpenType engine does (the same glyphs,
kerning and accent positions, the same text-showing operators and
``/ActualText``) and embeds the prepared font as it is, all of the stamp's
glyphs rather than only the ones this signature drew.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import uharfbuzz as hb

from placedesk.reports.fonts import FONT_DIR, REGULAR_FILE
from placedesk.reports.pyhanko_offline import keep_offline

# Before the pyHanko import below: PlaceDesk never uses its network clients (see pyhanko_offline).
keep_offline()

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine, ShapeResult

if TYPE_CHECKING:
    from pyhanko.pdf_utils.writer import BasePdfFileWriter

log = logging.getLogger(__name__)

# Changed whenever a different StampFont would be prepared from the same input, so the cache refreshes.
RECIPE = 3
# PDF reads glyph widths in thousandths of an em, so the prepared font is scaled to 1000 units per em.
UNITS_PER_EM = 1000


@dataclass(frozen=True)
class StampFont:
    """DejaVu Sans prepared for one stamp text; every number in font units (1000 per em)."""

    # The cut-down font with its layout tables (kerning, accent positions), which HarfBuzz shapes with.
    program: bytes
    # The same glyphs at the same glyph ids without the layout tables: the font file the PDF carries.
    embedded: bytes
    postscript_name: str
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]
    weight_class: int
    italic_angle: float
    cap_height: int
    # Advance width by glyph id.
    widths: tuple[int, ...]
    # Glyph id -> the characters the font maps to it (for copying text drawn as several glyphs).
    characters: dict[int, tuple[int, ...]]

    def to_bytes(self) -> bytes:
        """The prepared font as kept in the cache (JSON, the fonts in base64)."""
        fields: dict[str, Any] = asdict(self)
        fields["program"] = base64.b64encode(self.program).decode("ascii")
        fields["embedded"] = base64.b64encode(self.embedded).decode("ascii")
        fields["characters"] = {str(gid): list(codes) for gid, codes in self.characters.items()}
        return json.dumps({"recipe": RECIPE, **fields}, separators=(",", ":")).encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> StampFont:
        """Read what :meth:`to_bytes` wrote; ``ValueError`` when it is not that (damaged, older recipe)."""
        try:
            fields = json.loads(data)
            if fields.pop("recipe") != RECIPE:
                raise ValueError("prepared by another recipe")
            return cls(
                program=base64.b64decode(fields["program"], validate=True),
                embedded=base64.b64decode(fields["embedded"], validate=True),
                postscript_name=str(fields["postscript_name"]),
                ascent=int(fields["ascent"]),
                descent=int(fields["descent"]),
                bbox=tuple(int(v) for v in fields["bbox"]),  # type: ignore[arg-type]
                weight_class=int(fields["weight_class"]),
                italic_angle=float(fields["italic_angle"]),
                cap_height=int(fields["cap_height"]),
                widths=tuple(int(w) for w in fields["widths"]),
                characters={int(gid): tuple(int(c) for c in codes) for gid, codes in fields["characters"].items()},
            )
        except (KeyError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"not a prepared stamp font ({exc})") from exc


# --- preparing (fontTools, once per name) ----------------------------------------------------


def _save(face: Any) -> bytes:
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


def make_stamp_font(font: bytes, text: str) -> StampFont:
    """DejaVu Sans (``font``) cut down to the glyphs ``text`` needs and rescaled to 1000 units per em.

    pyHanko 0.38 writes glyph widths in the font's own units, but PDF reads
    them as thousandths of an em: DejaVu Sans has 2048 units per em, so its
    letters would be drawn twice as far apart and run out of the box.
    Subsetting first keeps the rescaling quick (hundredths of a second, not
    seconds). Hinting is dropped because it cannot survive the rescaling.
    The embedded copy is cut as pyHanko cuts the fonts it embeds: layout
    tables dropped, glyph ids kept.
    """
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    # The shipped font's own timestamp is kept throughout, so preparing again makes the same bytes.
    face = ttLib.TTFont(io.BytesIO(font), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]  # kerning, combining accents, contextual forms
    options.hinting = False
    options.glyph_names = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamp: fontTools warns about it on every stamp
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(face)
    if face["head"].unitsPerEm != UNITS_PER_EM:
        scale_upem(face, UNITS_PER_EM)
    program = _save(face)
    face = ttLib.TTFont(io.BytesIO(program), recalcTimestamp=False)

    carried = ttLib.TTFont(io.BytesIO(program), recalcTimestamp=False)
    carried_options = subset.Options(layout_closure=False)
    carried_options.drop_tables += ["GPOS", "GDEF", "GSUB"]
    carried_options.retain_gids = True
    carried_subsetter = subset.Subsetter(carried_options)
    carried_subsetter.populate(gids=list(range(len(face.getGlyphOrder()))))
    carried_subsetter.subset(carried)

    names = [record.toUnicode() for record in face["name"].names if record.nameID == 6]
    if not names:
        raise ValueError("the font has no PostScript name")
    head, hhea, os2 = face["head"], face["hhea"], face["OS/2"]
    characters: dict[int, list[int]] = {}
    for code, glyph in sorted(face.getBestCmap().items()):
        characters.setdefault(face.getGlyphID(glyph), []).append(code)
    metrics = face["hmtx"].metrics
    return StampFont(
        program=program,
        embedded=_save(carried),
        postscript_name=names[0],
        ascent=int(hhea.ascent),
        descent=int(hhea.descent),
        bbox=(int(head.xMin), int(head.yMin), int(head.xMax), int(head.yMax)),
        weight_class=int(os2.usWeightClass),
        italic_angle=float(getattr(face["post"], "italicAngle", 0)),
        cap_height=int(getattr(os2, "sCapHeight", 750)),
        widths=tuple(int(metrics[name][0]) for name in face.getGlyphOrder()),
        characters={gid: tuple(codes) for gid, codes in characters.items()},
    )


@functools.lru_cache(maxsize=8)
def prepared_stamp_font(text: str) -> StampFont:
    """The stamp font for ``text``: from the data folder's cache, else prepared now and kept there.

    A cache that cannot be read or written only costs the time to prepare it again.
    """
    from placedesk.config import data_dir
    from placedesk.fileio import atomic_write_bytes

    font = (FONT_DIR / REGULAR_FILE).read_bytes()
    recipe = f"{RECIPE}\n{text}".encode()
    key = hashlib.sha256(font).hexdigest()[:16] + "-" + hashlib.sha256(recipe).hexdigest()[:16]
    cached = data_dir() / "cache" / "stamp-fonts" / f"{key}.json"
    try:
        return StampFont.from_bytes(cached.read_bytes())
    except OSError:
        pass
    except ValueError as exc:
        log.info("The kept stamp font is damaged (%s); preparing it again", exc)
    prepared = make_stamp_font(font, text)
    try:
        atomic_write_bytes(cached, prepared.to_bytes())
    except OSError as exc:
        log.info("The stamp font could not be kept for next time (%s)", exc.strerror or exc)
    return prepared


# --- drawing (HarfBuzz only, every signature) -------------------------------------------------


def _glyph_runs(infos: Sequence[Any]) -> Iterator[tuple[int, int | None, list[int]]]:
    """(first character, next cluster's first character or None, glyph ids) per HarfBuzz cluster."""
    cluster, glyphs = 0, []
    for info in infos:
        if info.cluster != cluster:
            yield cluster, info.cluster, glyphs
            cluster, glyphs = info.cluster, []
        glyphs.append(info.codepoint)
    yield cluster, None, glyphs


def _tounicode_lines(mappings: dict[int, str]) -> Iterator[str]:
    """The body of a ToUnicode CMap: glyph ids (as CIDs) to the text they show, 100 entries a block."""
    entries = sorted((cid, text.encode("utf-16be").hex()) for cid, text in mappings.items())
    for start in range(0, len(entries), 100):
        block = entries[start:start + 100]
        yield f"{len(block)} beginbfchar"
        yield from (f"<{cid:04x}> <{target}>" for cid, target in block)
        yield "endbfchar"


_TOUNICODE_HEAD = (
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo <<\n/Registry (Adobe)\n/Ordering (UCS2)\n/Supplement 0\n>> def\n"
    "/CMapName /Adobe-Identity-UCS2 def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\n"
    "endcodespacerange\n"
)
_TOUNICODE_TAIL = "\nendcmap\nCMapName\ncurrentdict\n/CMap defineresource\npop\nend\nend"


class StampFontEngine(FontEngine):  # type: ignore[misc]
    """pyHanko's text engine for the prepared stamp font: HarfBuzz shaping, the prepared font embedded.

    Text is drawn left to right (the stamp's Arabic runs are already in visual
    order) as glyph ids of a CIDFontType2 font whose CIDs are its glyph ids.
    """

    def __init__(self, writer: BasePdfFileWriter, font: StampFont, font_size: int, obj_stream: object = None) -> None:
        super().__init__(writer, font.postscript_name, embedded_subset=True, obj_stream=obj_stream)
        # Set here rather than passed on: older pyHanko releases' FontEngine takes no size.
        self.font_size = font_size
        self.font = font
        self._hb_font = hb.Font(hb.Face(font.program))
        self._font_ref = writer.allocate_placeholder()
        self._used: set[int] = set()
        self._to_unicode: dict[int, str] = {}
        self._written = False

    def _width(self, gid: int) -> int:
        self._used.add(gid)
        return self.font.widths[gid]

    def _operators(self, infos: Sequence[Any], positions: Sequence[Any]) -> tuple[bytes, int]:
        """Text-showing operators for shaped glyphs, and their total advance (font units)."""
        if all(not pos.y_offset for pos in positions):
            # One TJ: each glyph advances by its width, adjusted to HarfBuzz's advance (kerning).
            segments: list[str] = []
            cids: list[int] = []
            adjust = total = 0
            for info, pos in zip(infos, positions):
                width = self._width(info.codepoint)
                adjust -= pos.x_offset  # HarfBuzz and PDF count offsets in opposite directions
                if adjust:
                    segments.append(f"<{''.join(f'{cid:04x}' for cid in cids)}>")
                    segments.append(str(adjust))
                    cids = []
                cids.append(info.codepoint)
                adjust = width - pos.x_advance + pos.x_offset
                total += pos.x_advance
            if cids:
                segments.append(f"<{''.join(f'{cid:04x}' for cid in cids)}>")
                if adjust:
                    segments.append(str(adjust))
            ops = f"[{' '.join(segments)}] TJ".encode("ascii")
            return b"%s %g 0 Td" % (ops, self._to_user(total)), total
        # Marks placed above or below (a combining accent): each glyph positioned on its own.
        commands: list[bytes] = []
        x = y = total = 0
        for info, pos in zip(infos, positions):
            self._width(info.codepoint)
            x += pos.x_offset
            y += pos.y_offset
            if x or y:
                commands.append(b"%g %g Td" % (self._to_user(x), self._to_user(y)))
            commands.append(f"<{info.codepoint:04x}> Tj".encode("ascii"))
            x, y = pos.x_advance - pos.x_offset, pos.y_advance - pos.y_offset
            total += pos.x_advance
        if x or y:
            commands.append(b"%g %g Td" % (self._to_user(x), self._to_user(y)))
        return b" ".join(commands), total

    def _to_user(self, units: int) -> float:
        return units / UNITS_PER_EM * self.font_size

    def _note_text(self, text: str, infos: Sequence[Any]) -> None:
        """Remember which text each drawn glyph shows, for copying it out of the PDF."""
        for cluster, next_cluster, glyphs in _glyph_runs(infos):
            shown = text[cluster:next_cluster]
            if len(glyphs) == 1:
                if glyphs[0]:
                    self._to_unicode[glyphs[0]] = shown
                continue
            present = {ord(c) for c in shown}
            for gid in glyphs:
                if gid and gid not in self._to_unicode:
                    for code in self.font.characters.get(gid, ()):
                        if code in present:
                            self._to_unicode[gid] = chr(code)

    def shape(self, txt: str, with_actual_text: bool = True) -> Any:
        """Draw ``txt``: its operators (inside an /ActualText span) and its advance in ems."""
        if not txt:
            return ShapeResult(b"", 0, 0)
        buf = hb.Buffer()
        buf.add_str(txt)
        buf.direction = "ltr"
        buf.guess_segment_properties()
        hb.shape(self._hb_font, buf, None)
        infos, positions = buf.glyph_infos, buf.glyph_positions
        ops, total = self._operators(infos, positions)
        self._note_text(txt, infos)
        if with_actual_text:
            span = io.BytesIO()
            span.write(b"/Span ")
            generic.DictionaryObject(
                {generic.NameObject("/ActualText"): generic.TextStringObject(txt)}
            ).write_to_stream(span)
            ops = span.getvalue() + b" BDC " + ops + b" EMC"
        return ShapeResult(graphics_ops=ops, x_advance=total / UNITS_PER_EM, y_advance=0)

    def as_resource(self) -> Any:
        return self._font_ref

    def prepare_write(self) -> None:
        """Add the font to the PDF: a Type0 font over a CIDFontType2 carrying the prepared font."""
        if self._written:
            return
        self._written = True
        name = generic.NameObject
        writer, font = self.writer, self.font
        full_name = f"{self.subset_prefix}+{font.postscript_name}"
        program = generic.StreamObject(stream_data=font.embedded)
        program.compress()
        descriptor = generic.DictionaryObject({
            name("/Type"): name("/FontDescriptor"),
            name("/FontName"): name("/" + full_name),
            name("/Ascent"): generic.NumberObject(font.ascent),
            name("/Descent"): generic.NumberObject(font.descent),
            name("/FontBBox"): generic.ArrayObject(map(generic.NumberObject, font.bbox)),
            name("/Flags"): generic.NumberObject(0b110),
            name("/StemV"): generic.NumberObject(int(10 + 220 * (font.weight_class - 50) / 900)),
            name("/ItalicAngle"): generic.FloatObject(font.italic_angle),
            name("/CapHeight"): generic.NumberObject(font.cap_height),
            name("/FontFile2"): writer.add_object(program),
        })
        cidfont = generic.DictionaryObject({
            name("/Type"): name("/Font"),
            name("/Subtype"): name("/CIDFontType2"),
            name("/CIDSystemInfo"): generic.DictionaryObject({
                name("/Registry"): generic.pdf_string("Adobe"),
                name("/Ordering"): generic.pdf_string("Identity"),
                name("/Supplement"): generic.NumberObject(0),
            }),
            name("/BaseFont"): name("/" + full_name),
            name("/CIDToGIDMap"): name("/Identity"),
            name("/FontDescriptor"): writer.add_object(descriptor, self.obj_stream),
            name("/W"): generic.ArrayObject(self._width_entries()),
        })
        tounicode = generic.StreamObject(stream_data=(
            _TOUNICODE_HEAD + "\n".join(_tounicode_lines(self._to_unicode)) + _TOUNICODE_TAIL
        ).encode("ascii"))
        tounicode.compress()
        type0 = generic.DictionaryObject({
            name("/Type"): name("/Font"),
            name("/Subtype"): name("/Type0"),
            name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cidfont, self.obj_stream)]),
            name("/Encoding"): name("/Identity-H"),
            name("/BaseFont"): name(f"/{full_name}-Identity-H"),
            name("/ToUnicode"): writer.add_object(tounicode),
        })
        writer.add_object(type0, self.obj_stream, idnum=self._font_ref.idnum)

    def _width_entries(self) -> list[Any]:
        """The /W array for the glyphs drawn: runs of consecutive ids as ``first [w1 w2 ...]``."""
        entries: list[Any] = []
        run: list[Any] = []
        first = previous = -2
        for gid in sorted(self._used):
            if gid != previous + 1 and run:
                entries += [generic.NumberObject(first), generic.ArrayObject(run)]
                run = []
            if not run:
                first = gid
            run.append(generic.NumberObject(self.font.widths[gid]))
            previous = gid
        if run:
            entries += [generic.NumberObject(first), generic.ArrayObject(run)]
        return entries


__all__ = ["RECIPE", "StampFont", "StampFontEngine", "make_stamp_font", "prepared_stamp_font"]
