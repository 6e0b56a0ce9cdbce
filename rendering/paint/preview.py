"""Contact sheet: a labelled grid of thumbnails (e.g. one slide per theme, for ``carousel themes``)."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFont

SHEET_BACKGROUND = (242, 241, 238)
LABEL_COLOR = (34, 34, 34)
THUMB_BORDER_COLOR = (0, 0, 0, 28)
THUMB_WIDTH = 360
GAP = 28  # between thumbnails and around the sheet
LABEL_SIZE = 22
LABEL_GAP = 10  # between a thumbnail and its label


def contact_sheet(
    images: list[tuple[str, Image.Image]],
    columns: int = 4,
    font_path: str | None = None,
    thumb_width: int = THUMB_WIDTH,
) -> Image.Image:
    """A grid of ``images`` scaled to ``thumb_width``, each with its label centred underneath,
    drawn with the font file ``font_path`` (Pillow's built-in font if None). Returns RGB."""
    if not images:
        raise ValueError("a contact sheet needs at least one image")
    columns = max(1, min(columns, len(images)))
    rows = math.ceil(len(images) / columns)

    thumbs = [(label, _thumbnail(image, thumb_width)) for label, image in images]
    font = _font(font_path, LABEL_SIZE)
    ascent, descent = font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (LABEL_SIZE, 0)
    label_height = ascent + descent
    cell_height = max(thumb.height for _, thumb in thumbs) + LABEL_GAP + label_height

    width = GAP + columns * (thumb_width + GAP)
    height = GAP + rows * (cell_height + GAP)
    sheet = Image.new("RGB", (width, height), SHEET_BACKGROUND)
    draw = ImageDraw.Draw(sheet, "RGBA")
    for index, (label, thumb) in enumerate(thumbs):
        row, column = divmod(index, columns)
        x = GAP + column * (thumb_width + GAP)
        y = GAP + row * (cell_height + GAP)
        sheet.paste(thumb, (x, y))
        draw.rectangle((x - 1, y - 1, x + thumb.width, y + thumb.height), outline=THUMB_BORDER_COLOR)
        text = _fit(draw, label, font, thumb_width)
        text_width = draw.textlength(text, font=font)
        draw.text(
            (x + (thumb_width - text_width) / 2, y + thumb.height + LABEL_GAP),
            text,
            font=font,
            fill=LABEL_COLOR,
        )
    return sheet


def _thumbnail(image: Image.Image, width: int) -> Image.Image:
    height = max(1, round(image.height * width / image.width))
    return image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)


def _font(path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def _fit(
    draw: ImageDraw.ImageDraw, label: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int
) -> str:
    """``label``, shortened with an ellipsis if it is wider than ``width``."""
    if draw.textlength(label, font=font) <= width:
        return label
    while label and draw.textlength(label + "…", font=font) > width:
        label = label[:-1]
    return label.rstrip() + "…"
