"""t.co short links → the post link they stand for.

t.co answers a client that is not a browser with a redirect (301) naming the target in ``Location``;
a browser-like client gets 200 and a small HTML page naming it in a meta refresh and in its title.
Only the short-link service itself (``TCO_URL``) is ever asked, at most ``SHORT_LINK_MAX_HOPS``
times, and only the first ``SHORT_LINK_MAX_BYTES`` of its answer are read: the target page is never
fetched. The target must be a supported post link (another t.co link is one more hop); anything else
is refused with one sentence.
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import quote, urljoin

import httpx

from contract.errors import PostNotFound, RateLimited, ShortLinkUnsupported, SourceUnavailable
from contract.links import SourceRef, parse_link
from worker.config import Settings
from worker.http import get_with_retry
from worker.limits import SHORT_LINK_MAX_BYTES, SHORT_LINK_MAX_HOPS

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PUBLIC_BASE = "https://t.co/"  # what a relative Location is relative to

_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_REFRESH_URL = re.compile(r"""^\s*\d*(?:\.\d*)?\s*[;,]?\s*url\s*=\s*['"]?([^'"\s]+)""", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>\s*([^<\s]+)\s*</title>", re.IGNORECASE)


def expand(ref: SourceRef, *, settings: Settings, client: httpx.Client) -> SourceRef:
    """The supported post link a short link leads to (never itself a short link)."""
    code = ref.id
    for _ in range(SHORT_LINK_MAX_HOPS):
        target = _lookup(code, settings=settings, client=client)
        found = parse_link(target)
        if found is None:
            log.info("short link %s leads to %.200s, not a supported post link", code, target)
            raise ShortLinkUnsupported()
        if found.kind != "short":
            log.info("short link %s → %s", ref.id, found.url)
            return found
        code = found.id
    log.info("short link %s: still a short link after %d lookups", ref.id, SHORT_LINK_MAX_HOPS)
    raise ShortLinkUnsupported()


def _lookup(code: str, *, settings: Settings, client: httpx.Client) -> str:
    """Where one short link points, from the redirect or the HTML page; the target is not fetched."""
    url = settings.tco_url.rstrip("/") + "/" + quote(code, safe="")
    try:
        response = get_with_retry(client, url, follow_redirects=False, max_bytes=SHORT_LINK_MAX_BYTES)
    except httpx.InvalidURL as exc:  # a Location httpx cannot even read is no post link
        log.info("short link %s: unreadable redirect target (%s)", code, exc)
        raise ShortLinkUnsupported() from exc
    status = response.status_code
    if status in REDIRECT_STATUSES:
        location = response.headers.get("location", "").strip()
        if location:
            return urljoin(PUBLIC_BASE + code, location)
        log.warning("short link %s: %d without Location", code, status)
        raise ShortLinkUnsupported()
    if status == 200:
        target = target_in_html(response.text)
        if target:
            return target
        log.warning("short link %s: 200 without a target in %.200r", code, response.text)
        raise ShortLinkUnsupported()
    if status in (404, 410):
        raise PostNotFound()
    if status == 429:
        raise RateLimited()
    log.warning("short link %s: answered %d", code, status)
    raise SourceUnavailable()


def target_in_html(page: str) -> str | None:
    """The URL a short-link page sends the browser to: its meta refresh, else its title."""
    for tag in _META.findall(page):
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag)
        }
        if attrs.get("http-equiv", "").lower() != "refresh":
            continue
        refresh = _REFRESH_URL.match(attrs.get("content", ""))
        if refresh:
            return refresh.group(1)
    title = _TITLE.search(page)
    if title and "://" in title.group(1):
        return html.unescape(title.group(1))
    return None
