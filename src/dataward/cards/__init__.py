"""Data cards from what Dataward recorded: Croissant 1.1 with the RAI vocabulary, a Hugging
Face dataset card, Markdown, a model card's training-data section, and MLflow logging.

>>> from dataward.cards import card
>>> card(rt, "landing/people.csv", "croissant")  # doctest: +SKIP
{'@context': {...}, '@type': 'sc:Dataset', 'name': 'people.csv', ...}
"""

from __future__ import annotations

from typing import Any, Literal

from dataward.cards.facts import CardError, CardFacts, gather
from dataward.cards.render import croissant, hf_card, markdown, model_section

__all__ = [
    "FORMATS",
    "CardError",
    "CardFacts",
    "card",
    "croissant",
    "gather",
    "hf_card",
    "markdown",
    "model_section",
]

Format = Literal["croissant", "hf", "md"]
FORMATS: tuple[str, ...] = ("croissant", "hf", "md")


def card(
    target: Any, dataset: str, format: str = "croissant", *, license: str | None = None
) -> Any:
    """The card of ``dataset`` in ``format``: a JSON-LD dict (``croissant``) or Markdown text
    (``hf``, ``md``). ``license``: the dataset's license, which no record holds."""
    if format not in FORMATS:
        raise CardError(f"card format must be one of {', '.join(FORMATS)}")
    facts = gather(target, dataset)
    if format == "croissant":
        return croissant(facts, license=license)
    return hf_card(facts, license=license) if format == "hf" else markdown(facts)
