"""Link cards and polls as slide elements, each one unsplittable row measured for a width.

A link card is drawn the way the platforms draw one under a post: a bordered, rounded card with the
preview image across its top (a play badge on a video link), then the site, the title (bold, up to
two lines) and the description (muted, up to two lines). A poll is one bar per option, filled to its
share, the label on the bar and the percentage at its right end; the leading option is bold; under
the bars, the vote count and whether the results are final. The whole card is a link in the PDF.
"""

from __future__ import annotations

from rendering.display import Item, Link, Picture, Rect, mix, with_alpha
from rendering.document.inline import shorten_url
from rendering.fonts import face_file, vertical_metrics
from rendering.layout.blocks import Ctx, _play_badge, emit_line, single_line
from rendering.layout.measure import Line, TextStyle, tokens, wrap
from rendering.layout.rows import Row
from rendering.model import LinkCard, Poll

CARD_IMAGE_ASPECT = 1 / 1.91  # height / width of a large link-card image (the og:image shape)
CARD_IMAGE_MAX_SHARE = 0.42  # of the body height
CARD_IMAGE_MIN_SHARE = 0.45  # of its natural height, when the slide is short of room
CARD_PAD_EM = 0.72
CARD_SITE_SCALE = 0.72
CARD_TITLE_SCALE = 0.9
CARD_DESC_SCALE = 0.78
CARD_TITLE_LINES = 2
CARD_DESC_LINES = 2
CARD_LINE_HEIGHT = 1.25
POLL_BAR_EM = 1.9  # height of one option's bar, in body ems
POLL_GAP_EM = 0.42
POLL_LABEL_SCALE = 0.86
POLL_NOTE_SCALE = 0.72
POLL_FILL_SHARE = 0.22  # of the accent in an option's bar
POLL_LEAD_FILL_SHARE = 0.36  # in the leading option's bar


def _stroke(ctx: Ctx) -> tuple[tuple[int, int, int, int], float]:
    pal = ctx.pal
    color = pal.border if pal.border[3] > 0 else with_alpha(pal.muted, 0.35)
    return color, max(1.0, ctx.px(1))


def clamp_lines(text: str, style: TextStyle, width: float, max_lines: int) -> list[Line]:
    """``text`` wrapped to ``width``, at most ``max_lines`` lines, the last ellipsised if cut."""
    text = " ".join(text.split())
    if not text:
        return []
    lines = wrap(tokens(text, style), width)
    if len(lines) <= max_lines:
        return lines
    shown = lines[: max_lines - 1]
    used = sum(len("".join(p.run.text for p in line.placed)) for line in shown)
    shown.append(single_line(text[used:].lstrip() + " …", style, width))
    return shown


def _ascent_descent(style: TextStyle) -> tuple[float, float]:
    a, d = vertical_metrics(face_file(style.face))
    return a * style.size, d * style.size


def link_card_rows(
    card: LinkCard, ctx: Ctx, width: float, size: int, gap: float, avail_h: float
) -> list[Row]:
    t = ctx.typo
    pal = ctx.pal
    pad = size * CARD_PAD_EM
    inner = width - 2 * pad
    floor = t.body_floor
    site_style = TextStyle(t.body, max(round(floor * 0.7), round(size * CARD_SITE_SCALE)), pal.muted)
    title_style = TextStyle(
        t.body.with_style(bold=True), max(floor, round(size * CARD_TITLE_SCALE)), pal.text
    )
    desc_style = TextStyle(t.body, max(round(floor * 0.8), round(size * CARD_DESC_SCALE)), pal.muted)
    site_text = card.site or card.url
    site = single_line(site_text, site_style, inner)
    title = clamp_lines(card.title, title_style, inner, CARD_TITLE_LINES)
    desc = clamp_lines(card.description, desc_style, inner, CARD_DESC_LINES)
    if not title and not desc and card.image is None:  # nothing but a link: it is the title
        title = clamp_lines(shorten_url(card.url), title_style, inner, CARD_TITLE_LINES)
    blocks: list[tuple[list[Line], TextStyle]] = [
        (b, s) for b, s in (([site], site_style), (title, title_style), (desc, desc_style)) if b
    ]
    text_h = 0.0
    for lines, style in blocks:
        text_h += len(lines) * style.size * CARD_LINE_HEIGHT
    text_h += size * 0.15 * (len(blocks) - 1)
    full_image_h = 0.0
    if card.image is not None:
        full_image_h = min(width * CARD_IMAGE_ASPECT, avail_h * CARD_IMAGE_MAX_SHARE)
    height = full_image_h + text_h + 2 * pad
    radius = min(ctx.radius, ctx.px(14))
    stroke, stroke_w = _stroke(ctx)
    fill = mix(pal.surface, pal.text, 0.035)

    def draw(x: float, y: float, h: float, out: list[Item]) -> None:
        image_h = max(0.0, full_image_h - max(0.0, height - h))  # the image gives way on a full slide
        card_h = height - (full_image_h - image_h)
        out.append(Rect((x, y, width, card_h), fill, radius))
        if card.image is not None:
            box = (x, y, width, image_h + radius)
            img = ctx.images.get(card.image.url)
            if img is not None:
                out.append(Picture(box, img, card.image.url, radius, False, "cover"))
            else:
                out.append(Rect(box, mix(pal.surface, pal.muted, 0.18), radius))
            # square off the image's lower corners: the text sits right under it
            out.append(Rect((x, y + image_h, width, radius), fill))
            out.append(Rect((x, y + image_h, width, stroke_w), stroke))
            if card.video:
                _play_badge((x, y, width, image_h), out)
        ty = y + image_h + pad
        for k, (lines, style) in enumerate(blocks):
            a, _ = _ascent_descent(style)
            lh = style.size * CARD_LINE_HEIGHT
            lead = (lh - style.size) / 2
            for line in lines:
                emit_line(line, x + pad, ty + lead + a * 0.92, out, pal.muted)
                ty += lh
            if k < len(blocks) - 1:
                ty += size * 0.15
        out.append(Rect((x, y, width, card_h), None, radius, stroke, stroke_w))
        out.append(Link((x, y, width, card_h), card.url))

    # one unsplittable row; only its image may shrink (to CARD_IMAGE_MIN_SHARE) to keep the card
    # on the slide of the text it belongs to
    min_height = height - full_image_h * (1 - CARD_IMAGE_MIN_SHARE) if full_image_h else None
    return [Row(height, draw, gap, min_height=min_height)]


def _percent(value: float) -> str:
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def poll_rows(poll: Poll, ctx: Ctx, width: float, size: int, gap: float) -> list[Row]:
    t = ctx.typo
    pal = ctx.pal
    bar_h = size * POLL_BAR_EM
    bar_gap = size * POLL_GAP_EM
    pad = size * 0.6
    label_size = max(t.body_floor, round(size * POLL_LABEL_SCALE))
    note_size = max(round(t.body_floor * 0.7), round(size * POLL_NOTE_SCALE))
    lead = max((o.percent for o in poll.options), default=0.0)
    radius = min(bar_h / 2, ctx.px(10))
    track = mix(pal.surface, pal.text, 0.06)
    # opaque tints of the accent over the track, light enough that the label reads on both
    filled = mix(track, pal.accent, POLL_FILL_SHARE)
    filled_lead = mix(track, pal.accent, POLL_LEAD_FILL_SHARE)
    rows_out: list[tuple[Line, Line, float, bool]] = []
    for option in poll.options:
        winner = option.percent >= lead and lead > 0
        face = t.body.with_style(bold=True) if winner else t.body
        pct_style = TextStyle(face, label_size, pal.text)
        pct = single_line(_percent(option.percent), pct_style, width)
        label = single_line(option.label, TextStyle(face, label_size, pal.text), width - 3 * pad - pct.width)
        rows_out.append((label, pct, option.percent, winner))
    votes = f"{poll.total_votes:,} vote{'s' if poll.total_votes != 1 else ''}"
    state = "Final results" if poll.closed else "Poll open"
    note = single_line(f"{votes} · {state}", TextStyle(t.body, note_size, pal.muted), width)
    note_h = note_size * 1.6
    height = len(rows_out) * bar_h + (len(rows_out) - 1) * bar_gap + bar_gap + note_h
    a_note, _ = _ascent_descent(TextStyle(t.body, note_size, pal.muted))

    def draw(x: float, y: float, h: float, out: list[Item]) -> None:
        by = y
        for label, pct, percent, winner in rows_out:
            out.append(Rect((x, by, width, bar_h), track, radius))
            share = max(0.0, min(1.0, percent / 100.0))
            if share > 0:
                out.append(
                    Rect(
                        (x, by, max(width * share, radius * 2), bar_h),
                        filled_lead if winner else filled,
                        radius,
                    )
                )
            baseline = by + bar_h / 2 + label_size * 0.36  # cap height centred on the bar
            emit_line(label, x + pad, baseline, out, pal.muted)
            emit_line(pct, x + width - pad - pct.width, baseline, out, pal.muted)
            by += bar_h + bar_gap
        emit_line(note, x, by + a_note * 0.95, out, pal.muted)

    return [Row(height, draw, gap)]
