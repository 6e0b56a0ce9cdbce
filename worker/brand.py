"""Signing pasted text with the brand kit (the worker and ``carousel render`` alike; no I/O)."""

from __future__ import annotations

from contract.options import Brand
from rendering.model import Author, Thread


def signed_by_brand(thread: Thread, brand: Brand) -> Thread:
    """Pasted text and files carry no author: they are signed with the brand kit when there is one."""
    if thread.source not in ("text", "file") or not (brand.name or brand.handle):
        return thread
    return thread.authored_by(
        Author(name=brand.name or brand.handle or "", handle=brand.handle or "", avatar_url=brand.avatar_url)
    )
