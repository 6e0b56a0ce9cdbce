"""Compose stage: a Document → a storyboard of slides, each one idea (see ``board`` and ``units``)."""

from __future__ import annotations

from rendering.compose.board import (
    MAX_CONTENT_SLIDES,
    MAX_SLIDES,
    MIN_FILL,
    Idea,
    Measurer,
    Part,
    SlidePlan,
    Storyboard,
    Template,
    compose,
    ideas_of,
)
from rendering.compose.units import Unit, code_cut_lines, sentence_offsets, units_of

__all__ = [
    "MAX_CONTENT_SLIDES",
    "MAX_SLIDES",
    "MIN_FILL",
    "Idea",
    "Measurer",
    "Part",
    "SlidePlan",
    "Storyboard",
    "Template",
    "Unit",
    "code_cut_lines",
    "compose",
    "ideas_of",
    "sentence_offsets",
    "units_of",
]
