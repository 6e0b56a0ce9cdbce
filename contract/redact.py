"""No secret in any log line: bot tokens, interaction tokens, and URLs carrying them are redacted.

:func:`install` wraps the logging module's record factory, so every record of every logger (ours,
httpx, httpcore, python-telegram-bot, discord.py, RQ) is redacted when it is made, whatever handler
later writes it: the message with its arguments, and the traceback text of an exception.

What is redacted: the tokens named to :func:`install` (from the configuration) wherever they appear,
the interaction tokens named to :func:`remember` as they arrive (the most recent
:data:`RECENT_TOKENS_MAX`: a Discord interaction token lives 15 minutes), and anything shaped like a
secret even when nobody named it — a Telegram bot token (``123456:AA…``), the token segment of Bot
API and file URLs (``/bot<token>/``, ``/file/bot<token>/``), a Discord bot token, the token of a
Discord webhook or interaction URL (``/webhooks/<application>/<token>``,
``/interactions/<id>/<token>/callback``), and the value of a ``token`` or ``interaction_token`` key
in logged JSON, a dict or a repr (an RQ job's description carries its payload; discord.py logs
gateway events at DEBUG).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

MASK = "<redacted>"
RECENT_TOKENS_MAX = 1000  # interaction tokens remembered per process, the newest kept

_PATTERNS = [
    # Telegram bot token: numeric bot id, colon, 30+ url-safe characters
    re.compile(r"\b\d{5,16}:[A-Za-z0-9_-]{30,}"),
    # a Bot API or file URL's token segment, whatever the token looks like
    re.compile(r"(?<=/bot)[^/\s'\"]{8,}(?=/)"),
    # Discord bot token: three base64url parts
    re.compile(r"\b[MNO][A-Za-z\d_-]{23,30}\.[\w-]{6}\.[\w-]{27,}"),
    # Discord webhook / interaction follow-up URLs: /webhooks/<app id>/<token>
    re.compile(r"(?<=/webhooks/)(\d+)/[A-Za-z0-9_.-]{20,}"),
    # interaction callback URLs: /interactions/<id>/<token>/callback
    re.compile(r"(?<=/interactions/)(\d+)/[A-Za-z0-9_.-]{20,}"),
]
# a token under its name: "token": "…", 'interaction_token': '…', interaction_token='…', token=…
_KEYED = re.compile(
    r"""(["']?\b(?:interaction_)?token["']?\s*[:=]\s*["']?)([^"'\s,)}&]{8,})""", re.IGNORECASE
)

_lock = threading.Lock()
_secrets: set[str] = set()
_recent: OrderedDict[str, None] = OrderedDict()
_installed = False


def redact(text: str) -> str:
    """``text`` with every known and every secret-shaped token replaced by ``<redacted>``."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for secret in list(_recent):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _KEYED.sub(lambda m: f"{m.group(1)}{MASK}", text)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: f"{m.group(1)}/{MASK}", text)
        else:
            text = pattern.sub(MASK, text)
    return text


def add_secrets(secrets: Iterable[str | None]) -> None:
    """Name tokens to redact wherever they appear (short or empty values are ignored)."""
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 8)


def remember(token: str | None) -> None:
    """Redact an interaction token from now on (a job's, or one the bot just received).

    Kept among the newest :data:`RECENT_TOKENS_MAX`, so a long-running bot does not grow without bound.
    """
    if not token or len(token) < 8:
        return
    with _lock:
        _recent[token] = None
        _recent.move_to_end(token)
        while len(_recent) > RECENT_TOKENS_MAX:
            _recent.popitem(last=False)


def install(secrets: Iterable[str | None] = ()) -> None:
    """Redact every log record made from now on (idempotent; more secrets may be added later)."""
    global _installed
    add_secrets(secrets)
    with _lock:
        if _installed:
            return
        _installed = True
        previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub(record)
        return record

    logging.setLogRecordFactory(factory)


_FORMATTER = logging.Formatter()


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave the record to logging's own error report
        return
    clean = redact(message)
    if clean != message or record.args:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(_FORMATTER.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
