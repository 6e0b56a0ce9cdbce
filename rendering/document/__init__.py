"""Document stage: a Thread's texts resolved into typed blocks (HTML, markdown-ish lines, entities,
mojibake), one ``DocPost`` per post, plus the title and the cover image."""

from __future__ import annotations

from rendering.document.build import document_from_thread as build_document
from rendering.document.model import DocPost, Document, document_kind

__all__ = ["DocPost", "Document", "build_document", "document_kind"]
