"""`carousel` command line: render, themes, worker, telegram, discord.

The only module that wires everything together; its choices and defaults come from the contract.
Heavy modules are imported inside each command, so ``carousel render`` never loads a chat library.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from contract.errors import UserError
from contract.options import (
    CTAS,
    DEFAULT_CTA,
    DEFAULT_DELIVERY,
    DEFAULT_FORMAT,
    DEFAULT_MAX_POSTS,
    DEFAULT_RATIO,
    DEFAULT_THEME,
    DELIVERIES,
    FORMATS,
    RATIOS,
)

EXIT_BAD_INPUT = 2
EXIT_CHECK_FAILED = 1  # carousel render --check found a violation
CACHE_ENV = "CAROUSEL_CACHE_DIR"  # where fonts (and the theme preview) are cached
THEME_FILE_SUFFIX = ".toml"  # --theme NAME or --theme path/to/theme.toml
LOCAL_SOURCE_SUFFIXES = (".json", ".md", ".markdown", ".txt")  # a SOURCE that names a local file
# `carousel render` says what went wrong in one line of its own; its log shows with --verbose
SERVICE_LOG_LEVELS = {
    "worker": logging.INFO,
    "telegram": logging.INFO,
    "discord": logging.INFO,
    "render": logging.ERROR,
}


def _fail(message: str) -> int:
    print(f"carousel: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _render(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from contract.options import LOOK_FIELDS, Brand, RenderOptions
    from rendering.api import render_carousel

    try:
        given = {path: getattr(args, path) for path in LOOK_FIELDS}  # each option has its flag
        options = RenderOptions(**given, brand=Brand(name=args.brand_name, handle=args.brand_handle))
    except ValidationError as exc:
        first = exc.errors()[0]
        return _fail(f"invalid option {'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
    from themes import ThemeError, load_theme, load_theme_file

    try:  # a preset's name, or a brand's own theme file
        theme = (
            load_theme_file(args.theme)
            if args.theme.lower().endswith(THEME_FILE_SUFFIX)
            else load_theme(args.theme)
        )
    except ThemeError as exc:  # the available themes, or the file's line and field
        return _fail(str(exc))

    from contract.values import ValueRejected, parse_posts

    try:
        picked = parse_posts(args.posts) if args.posts else None
    except ValueRejected as rejected:
        return _fail(rejected.sentence)
    options = options.model_copy(update={"posts": picked})

    from worker.checks import check_options, check_thread
    from worker.limits import SOURCE_MAX_POSTS
    from worker.posts import choose_posts

    out = Path(args.out)
    problem = _unwritable(out)
    if problem:
        return _fail(problem)
    path = Path(args.source)
    if not path.exists() and _names_a_file(args.source):
        return _fail(f"There is no file {args.source}.")
    try:
        check_options(options)
        if path.exists():  # a local render: no settings, HTTP client or Redis are imported
            from worker.sources import load_local

            thread = choose_posts(load_local(path), options).thread
            images: dict = {}
        else:
            from worker.config import get_settings
            from worker.http import make_client
            from worker.media import fetch_images
            from worker.sources import resolve

            settings = get_settings()
            with make_client(settings) as client:
                whole = resolve(args.source, settings=settings, client=client, max_posts=SOURCE_MAX_POSTS)
                thread = choose_posts(whole, options).thread
                images = fetch_images(thread, settings=settings, client=client)
        from worker.brand import signed_by_brand

        check_thread(thread)
        carousel = render_carousel(signed_by_brand(thread, options.brand), options, images, theme=theme)
    except UserError as exc:
        return _fail(exc.message)

    try:
        written = _write(out, carousel, zipped=options.delivery == "zip")
    except OSError as exc:
        return _fail(f"I couldn't write to {out}: {exc.strerror or exc}.")
    for target in written:
        print(target)
    if args.check:
        from rendering.check import check_deck

        report = check_deck(signed_by_brand(thread, options.brand), options, images, theme=theme)
        for line in report.lines():
            print(line)
        return 0 if report.ok else EXIT_CHECK_FAILED
    return 0


def _names_a_file(source: str) -> bool:
    """A SOURCE that is a path, not a link: a local file's suffix, or a path from / . or ~."""
    if "://" in source:
        return False
    return source.lower().endswith(LOCAL_SOURCE_SUFFIXES) or source.startswith(("/", ".", "~"))


def _unwritable(out: Path) -> str | None:
    """Why ``--out`` cannot take the slides (a file, a folder we may not write), or None."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder."
    existing = next((p for p in [out, *out.parents] if p.exists()), None)
    if existing is not None and not existing.is_dir():
        return f"--out {out} is inside {existing}, which is a file."
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        return f"I can't write to {existing}: permission denied."
    return None


def _write(out: Path, carousel: Any, *, zipped: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    ext = "jpg" if carousel.image_format == "jpeg" else "png"
    for old in [*out.glob("slide-*.*"), *out.glob("part-*/slide-*.*"), *out.glob("**/slides.zip")]:
        old.unlink()
    written: list[Path] = []
    parts = carousel.parts  # a source that needs more than 20 slides comes in parts, each complete
    for part in parts:
        folder = out if len(parts) == 1 else out / f"part-{part.part[0] if part.part else 1}"
        folder.mkdir(parents=True, exist_ok=True)
        for i, data in enumerate(part.slides, start=1):
            target = folder / f"slide-{i:02d}.{ext}"
            target.write_bytes(data)
            written.append(target)
        pdf = folder / "carousel.pdf"
        pdf.write_bytes(part.pdf)
        written.append(pdf)
        if zipped:  # the slides in one file, as the chat bots send them with the zip delivery
            from worker.delivery.common import slides_zip

            archive = folder / "slides.zip"
            archive.write_bytes(slides_zip(part.slides))
            written.append(archive)
    return written


def _themes(args: argparse.Namespace) -> int:
    from themes import list_themes

    themes = list_themes()
    for theme in themes:
        print(f"{theme.name:<12} {theme.label:<18} {'dark ' if theme.dark else 'light'}  {theme.description}")
    if args.preview:
        from worker.previews import write_theme_preview

        target = write_theme_preview(Path(args.preview))
        print(target)
    return 0


def _redact_tokens(settings: Any) -> None:
    from contract.redact import add_secrets

    add_secrets([settings.telegram_bot_token, settings.discord_bot_token])


def _worker(args: argparse.Namespace) -> int:
    from worker.config import get_settings
    from worker.runner import run_worker
    from worker.warm import warm_worker

    settings = get_settings()
    _redact_tokens(settings)
    if not settings.redis_url:
        return _fail("REDIS_URL is not set: the worker needs Redis (the bots embed a worker without it)")
    if settings.metrics_port:
        from worker.ops import use_multiprocess_metrics

        use_multiprocess_metrics()  # before prometheus_client loads: work horses report to this process
    warm_worker()  # every horse forks from here with the render stack loaded
    _serve_ops(settings)
    return run_worker(settings, burst=args.burst)


def _serve_ops(settings: Any) -> None:
    """/healthz and /metrics on METRICS_PORT, when it is set (see README, "Running in production")."""
    if not settings.metrics_port:
        return
    from contract.job import delivery_queue_name
    from worker.ops import redis_health, serve

    connection = None
    health = None
    if settings.redis_url:
        from redis import Redis

        connection = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        health = redis_health(connection)
    names = [settings.queue_name, delivery_queue_name(settings.queue_name)]
    port = settings.metrics_port
    try:
        serve(port, health=health or (lambda: None), connection=connection, queue_names=names)
    except OSError as exc:
        logging.getLogger(__name__).warning("no /healthz or /metrics on port %s: %s", port, exc)


def _telegram(args: argparse.Namespace) -> int:
    from bot.telegram.app import run_polling
    from worker.config import get_settings

    settings = get_settings()
    _redact_tokens(settings)
    if not settings.telegram_bot_token:
        return _fail("TELEGRAM_BOT_TOKEN is not set")
    _serve_ops(settings)
    run_polling(settings, theme_preview=_theme_preview())
    return 0


def _theme_preview() -> Path:
    """The /theme preview sheet, drawn once per installation and kept with the font cache."""
    import hashlib

    from rendering.fonts import cache_dir
    from themes import list_themes
    from worker.previews import PREVIEW_FILE, write_theme_preview

    themes = "".join(t.model_dump_json() for t in list_themes()).encode()
    folder = cache_dir().parent / "previews" / hashlib.sha256(themes).hexdigest()[:16]
    sheet = folder / PREVIEW_FILE
    if not sheet.exists():
        write_theme_preview(folder)
    return sheet


def _discord(args: argparse.Namespace) -> int:
    from worker.config import get_settings

    settings = get_settings()
    _redact_tokens(settings)
    if not settings.discord_bot_token:
        return _fail("DISCORD_BOT_TOKEN is not set")
    try:
        from bot.discord.app import run as run_discord
    except ImportError:
        return _fail("the Discord front-end is not part of this build yet")
    _serve_ops(settings)
    run_discord(settings)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carousel", description="Turn a thread into a carousel.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    render = sub.add_parser("render", help="render a link or a local .json/.md/.txt file")
    render.add_argument("source", help="a post link, or a local FxTwitter-shaped .json, .md or .txt file")
    render.add_argument("--out", default="out", help="output folder (default: out)")
    render.add_argument(
        "--theme", default=DEFAULT_THEME, help=f"a theme name or a .toml file (default: {DEFAULT_THEME})"
    )
    render.add_argument("--ratio", default=DEFAULT_RATIO, choices=RATIOS)
    render.add_argument("--format", default=DEFAULT_FORMAT, choices=FORMATS)
    render.add_argument("--max-posts", type=int, default=DEFAULT_MAX_POSTS)
    render.add_argument("--posts", default=None, metavar="1-8,11", help="only these posts, numbered from 1")
    render.add_argument("--cta", default=DEFAULT_CTA, choices=CTAS)
    render.add_argument("--cta-text", default=None, help="closing slide text")
    render.add_argument("--cta-link", default=None, help="link for --cta link")
    render.add_argument(
        "--delivery", default=DEFAULT_DELIVERY, choices=DELIVERIES, help="zip: also write slides.zip"
    )
    render.add_argument("--brand-name", default=None)
    render.add_argument("--brand-handle", default=None)
    render.add_argument(
        "--check", action="store_true", help="print the deck quality report; exit 1 on a violation"
    )
    render.set_defaults(func=_render)

    themes = sub.add_parser("themes", help="list themes")
    themes.add_argument("--preview", metavar="DIR", help="write a contact sheet of all themes into DIR")
    themes.set_defaults(func=_themes)

    worker = sub.add_parser("worker", help="run an RQ worker on REDIS_URL")
    worker.add_argument("--burst", action="store_true", help="quit when the queue is empty")
    worker.set_defaults(func=_worker)

    sub.add_parser("telegram", help="run the Telegram bot").set_defaults(func=_telegram)
    sub.add_parser("discord", help="run the Discord bot").set_defaults(func=_discord)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else SERVICE_LOG_LEVELS.get(args.command, logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # request lines carry the bot token in their URLs (Telegram's Bot API puts it in the path): quiet
    # them, and redact every record anyway (the services add their configured tokens)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    cache = os.environ.get(CACHE_ENV)
    if cache:  # the operator's cache folder; rendering never reads the environment itself
        from rendering.fonts import use_cache_root

        use_cache_root(cache)
    from contract.redact import install

    install()
    return int(args.func(args))
