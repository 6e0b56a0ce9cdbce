"""reportlab backend: the same display list as a vector PDF.

One canvas pixel is one PDF point, y flipped. Text is real text in subset-embedded TrueType fonts
(the same static files the raster backend uses; for a font with PostScript outlines — Noto Sans CJK —
a TrueType copy of the glyphs this document uses, with the same advances), links are link
annotations, emoji are OpenMoji's SVG artwork drawn as vectors, gradients are PDF shadings. Only
photos — and a patterned background, once per document — are embedded as images.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from contract.values import is_web_link
from rendering.display import (
    RGBA,
    Backdrop,
    Ellipse,
    Emoji,
    Item,
    Link,
    Picture,
    Polygon,
    Rect,
    Shadow,
    Slide,
    Text,
    parse_color,
)
from rendering.emoji import SVG_CANVAS_EM, svg_path
from rendering.fonts import FontRef, embeddable, rl_font, shape_rtl
from rendering.paint.photos import encoded as encoded_photo
from rendering.paint.photos import fitted as fitted_photo
from rendering.paint.photos import pixel_box

BACKGROUND_JPEG_QUALITY = 88
SHADOW_STEPS = 6
CREATOR = "thread-carousel"

rl_config.useA85 = 0  # binary streams: smaller files, no ASCII85 pass over every image


def _set_fill(c: Canvas, color: RGBA) -> None:
    c.setFillColorRGB(color[0] / 255, color[1] / 255, color[2] / 255, alpha=color[3] / 255)


def _set_stroke(c: Canvas, color: RGBA) -> None:
    c.setStrokeColorRGB(color[0] / 255, color[1] / 255, color[2] / 255, alpha=color[3] / 255)


@lru_cache(maxsize=256)
def _svg_drawing(stem: str) -> Any:
    from svglib.svglib import svg2rlg

    return svg2rlg(str(svg_path(stem)))


def emoji_placement(item: Emoji, drawing: Any) -> tuple[float, float, float]:
    """Where the SVG goes so its artwork covers what the raster backend paints: the glyph at the
    item's size, shrunk to fit the box if larger, centred. Returns (x, y) in canvas pixels of
    the drawing's origin (its bottom-left) and its scale."""
    x, y, w, h = item.box
    x0, y0, x1, y1 = drawing.getBounds()
    bw, bh = max(1e-6, x1 - x0), max(1e-6, y1 - y0)
    scale = item.size * SVG_CANVAS_EM / max(1e-6, drawing.width)
    scale *= min(1.0, w / (bw * scale), h / (bh * scale))
    left = x + (w - bw * scale) / 2
    bottom = y + (h + bh * scale) / 2
    return left - x0 * scale, bottom + y0 * scale, scale


def _embedded_fonts(slides: list[Slide]) -> dict[FontRef, FontRef]:
    """For each font reportlab cannot embed as it is, the TrueType subset with the glyphs of this
    document's text in it (made once per set of characters, cached on disk)."""
    texts: dict[FontRef, set[str]] = {}
    for slide in slides:
        for item in (*slide.base, *slide.items):
            if isinstance(item, Text) and item.font.cff:
                texts.setdefault(item.font, set()).add(item.text)
    return {ref: embeddable(ref, chunks) for ref, chunks in texts.items()}


class _Writer:
    def __init__(
        self, canvas: Canvas, size: tuple[int, int], fonts: dict[FontRef, FontRef] | None = None
    ) -> None:
        self.c = canvas
        self.w, self.h = size
        self._pictures: dict[tuple[object, ...], str] = {}  # placement → its form's name
        self._forms: set[str] = set()
        self._fonts = fonts or {}

    def y(self, y: float) -> float:
        return self.h - y

    # shapes
    def rect(self, item: Rect) -> None:
        x, y, w, h = item.box
        c = self.c
        fill = item.fill is not None and item.fill[3] > 0
        stroke = item.stroke is not None and item.stroke_width > 0 and item.stroke[3] > 0
        if not fill and not stroke:
            return
        if fill:
            _set_fill(c, item.fill)  # type: ignore[arg-type]
        if stroke:
            _set_stroke(c, item.stroke)  # type: ignore[arg-type]
            c.setLineWidth(item.stroke_width)
            inset = item.stroke_width / 2
        else:
            inset = 0.0
        r = max(0.0, min(item.radius - inset, w / 2, h / 2))
        bx, by, bw, bh = x + inset, self.y(y + h) + inset, w - 2 * inset, h - 2 * inset
        if fill and stroke:
            # fill the full box, stroke inside it (as the raster backend does)
            c.roundRect(x, self.y(y + h), w, h, min(item.radius, w / 2, h / 2), stroke=0, fill=1)
            c.roundRect(bx, by, bw, bh, r, stroke=1, fill=0)
        elif r > 0.01:
            c.roundRect(bx, by, bw, bh, r, stroke=int(stroke), fill=int(fill))
        else:
            c.rect(bx, by, bw, bh, stroke=int(stroke), fill=int(fill))

    def ellipse(self, item: Ellipse) -> None:
        if item.fill is None:
            return
        x, y, w, h = item.box
        _set_fill(self.c, item.fill)
        self.c.ellipse(x, self.y(y + h), x + w, self.y(y), stroke=0, fill=1)

    def polygon(self, item: Polygon) -> None:
        _set_fill(self.c, item.fill)
        p = self.c.beginPath()
        first = True
        for px, py in item.points:
            if first:
                p.moveTo(px, self.y(py))
                first = False
            else:
                p.lineTo(px, self.y(py))
        p.close()
        self.c.drawPath(p, stroke=0, fill=1)

    def shadow(self, item: Shadow) -> None:
        x, y, w, h = item.box
        c = self.c
        color = item.color
        steps = SHADOW_STEPS
        for k in range(steps, 0, -1):
            grow = item.blur * k / steps * 0.6
            alpha = color[3] / 255 / steps * 1.1
            c.setFillColorRGB(color[0] / 255, color[1] / 255, color[2] / 255, alpha=alpha)
            c.roundRect(
                x - grow,
                self.y(y + h + item.offset + grow),
                w + 2 * grow,
                h + 2 * grow,
                item.radius + grow,
                stroke=0,
                fill=1,
            )

    # background
    def backdrop(self, item: Backdrop) -> None:
        theme = item.theme
        c = self.c
        try:
            from rendering.paint import background as bgmod
        except ImportError:
            bgmod = None  # type: ignore[assignment]
        bg = theme.background
        solid = parse_color(theme.colors.background)
        if bgmod is not None and not bgmod.is_vector_background(theme):
            # one image, embedded once as a form and reused by every page
            name = f"bg{self.w}x{self.h}"
            if name not in self._forms:
                reader = ImageReader(io.BytesIO(_background_jpeg(theme, (self.w, self.h))))
                c.beginForm(name, lowerx=0, lowery=0, upperx=self.w, uppery=self.h)
                c.drawImage(reader, 0, 0, self.w, self.h)
                c.endForm()
                self._forms.add(name)
            c.doForm(name)
            return
        _set_fill(c, solid)
        c.rect(0, 0, self.w, self.h, stroke=0, fill=1)
        if bgmod is None or bg.kind == "solid" or len(bg.colors) < 2:
            return
        stops = bgmod.gradient_stops(theme)
        colors = [_rl_color(col) for _, col in stops]
        positions = [p for p, _ in stops]
        c.saveState()
        p = c.beginPath()
        p.rect(0, 0, self.w, self.h)
        c.clipPath(p, stroke=0, fill=0)
        if bg.kind == "linear":
            x0, y0, x1, y1 = bgmod.gradient_geometry(theme, (self.w, self.h))
            c.linearGradient(x0, self.y(y0), x1, self.y(y1), colors, positions, extend=True)
        else:
            cx, cy, rx, ry = bgmod.radial_geometry(theme, (self.w, self.h))
            c.translate(cx, self.y(cy))
            c.scale(1.0, ry / rx if rx else 1.0)
            c.radialGradient(0, 0, rx, colors, positions, extend=True)
        c.restoreState()

    # content
    def text(self, item: Text) -> None:
        c = self.c
        _set_fill(c, item.color)
        c.setFont(rl_font(self._fonts.get(item.font, item.font)), item.size)
        text = shape_rtl(item.font, item.text, item.size)[0] if item.rtl else item.text
        c.drawString(item.x, self.y(item.baseline), text)

    def emoji(self, item: Emoji) -> None:
        from reportlab.graphics import renderPDF
        from reportlab.graphics.renderbase import STATE_DEFAULTS

        d = _svg_drawing(item.sequence)
        if d is None:
            return
        ax, ay, scale = emoji_placement(item, d)
        c = self.c
        c.saveState()
        c.translate(ax, self.y(ay))
        c.scale(scale, scale)
        # the drawing has no text; keep the renderer from pulling in an unembedded Helvetica
        default_font = STATE_DEFAULTS["fontName"]
        STATE_DEFAULTS["fontName"] = c._fontname
        try:
            renderPDF.draw(d, c, 0, 0)
        finally:
            STATE_DEFAULTS["fontName"] = default_font
        c.restoreState()

    def picture(self, item: Picture) -> None:
        """The picture's pixels as the slide shows them, embedded once per PDF as a form, however often
        it appears (an avatar on every page), then placed and clipped to its box."""
        x, y, w, h = item.box
        _, _, pw, ph = pixel_box(item.box)
        fitted = fitted_photo(item.image, item.key, pw, ph, item.fit)
        iw, ih = fitted.size
        placement = (id(item.image), item.key, pw, ph, item.fit)
        name = self._pictures.get(placement)
        if name is None:
            name = self._pictures[placement] = f"pic{len(self._pictures)}"
            data = encoded_photo(item.image, item.key, pw, ph, item.fit)
            self.c.beginForm(name, lowerx=0, lowery=0, upperx=iw, uppery=ih)
            self.c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, iw, ih, mask="auto")
            self.c.endForm()
        scale = min(w / iw, h / ih) if item.fit == "contain" else max(w / iw, h / ih)
        dw, dh = iw * scale, ih * scale
        dx, dy = x + (w - dw) / 2, y + (h - dh) / 2
        c = self.c
        c.saveState()
        c.setFillAlpha(1.0)  # a form inherits the state it is placed in: no translucent fill fades it
        p = c.beginPath()
        if item.circle:
            p.circle(x + w / 2, self.y(y + h / 2), min(w, h) / 2)
        elif item.radius > 0.5:
            p.roundRect(x, self.y(y + h), w, h, min(item.radius, w / 2, h / 2))
        else:
            p.rect(x, self.y(y + h), w, h)
        c.clipPath(p, stroke=0, fill=0)
        c.translate(dx, self.y(dy + dh))
        c.scale(dw / iw, dh / ih)
        c.doForm(name)
        c.restoreState()
        if item.alt:
            self.alt_text(item)

    def alt_text(self, item: Picture) -> None:
        """The picture's description as invisible text over it: search, copy and screen readers find
        it in the PDF; nothing is drawn."""
        from rendering.fonts import Face, face_file

        x, y, w, h = item.box
        size = max(4.0, min(14.0, h / 4))
        t = self.c.beginText()
        t.setTextRenderMode(3)
        t.setFont(rl_font(face_file(Face("Inter"))), size)
        t.setTextOrigin(x, self.y(y + h / 2))
        t.textLine(item.alt)
        self.c.drawText(t)

    def link(self, item: Link) -> None:
        if not is_web_link(item.url):  # javascript:, file:, data: … never become a PDF action
            return
        x, y, w, h = item.box
        self.c.linkURL(item.url, (x, self.y(y + h), x + w, self.y(y)), relative=0, thickness=0)

    def draw(self, items: list[Item] | tuple[Item, ...]) -> None:
        for item in items:
            if isinstance(item, Text):
                self.text(item)
            elif isinstance(item, Rect):
                self.rect(item)
            elif isinstance(item, Emoji):
                self.emoji(item)
            elif isinstance(item, Picture):
                self.picture(item)
            elif isinstance(item, Ellipse):
                self.ellipse(item)
            elif isinstance(item, Polygon):
                self.polygon(item)
            elif isinstance(item, Link):
                self.link(item)
            elif isinstance(item, Shadow):
                self.shadow(item)
            elif isinstance(item, Backdrop):
                self.backdrop(item)


@lru_cache(maxsize=4)
def _background_jpeg(theme: Any, size: tuple[int, int]) -> bytes:
    """A patterned background, encoded once per look and embedded once per document."""
    from rendering.paint.background import paint_background

    buf = io.BytesIO()
    paint_background(theme, size).save(buf, "JPEG", quality=BACKGROUND_JPEG_QUALITY)
    return buf.getvalue()


def _rl_color(rgb: tuple[int, ...]) -> Any:
    from reportlab.lib.colors import Color

    return Color(rgb[0] / 255, rgb[1] / 255, rgb[2] / 255)


def write_pdf(slides: list[Slide], title: str = "", author: str = "", subject: str = "") -> bytes:
    """All slides as one vector PDF (pages of the slide size, in points)."""
    if not slides:
        raise ValueError("no slides to write")
    buf = io.BytesIO()
    size = slides[0].size
    fonts = _embedded_fonts(slides)
    first_font = next((i.font for s in slides for i in s.items if isinstance(i, Text)), None)
    initial = {}
    if first_font is not None:
        initial["initialFontName"] = rl_font(fonts.get(first_font, first_font))
    c = Canvas(buf, pagesize=size, pageCompression=1, invariant=1, **initial)
    c.setTitle(title)
    c.setAuthor(author)
    c.setSubject(subject)
    c.setCreator(CREATOR)
    writer = _Writer(c, size, fonts)
    for slide in slides:
        if slide.size != (writer.w, writer.h):
            c.setPageSize(slide.size)
            writer.w, writer.h = slide.size
        writer.draw(slide.base)
        writer.draw(slide.items)
        c.showPage()
    c.save()
    return buf.getvalue()
