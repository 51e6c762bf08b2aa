"""Statement extraction: quotations in any style and script, their speakers, honest dates and topics."""

from .extractor import extract, verbatim
from .model import Candidate, Extraction, KnownActor, KnownTopic, Published, Speaker, StanceSuggestion

__all__ = [
    "Candidate",
    "Extraction",
    "KnownActor",
    "KnownTopic",
    "Published",
    "Speaker",
    "StanceSuggestion",
    "extract",
    "verbatim",
]
