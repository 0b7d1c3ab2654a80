"""The words the build writes into an edition (headings, aria-labels, the title-page note), by
language: the table is labels.yaml beside this file; a text's `labels:` metadata overrides any
entry. citeproc formats the references in the locale of `lang` (pandoc lets `lang` override a
style's default-locale), so the references heading follows the same language.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import yaml

from ..model import Labels

TABLE: dict[str, dict[str, str]] = yaml.safe_load(
    resources.files("readingedition").joinpath("load/labels.yaml").read_text("utf-8")
)
FALLBACK = "en"
LABEL_KEYS: tuple[str, ...] = tuple(TABLE[FALLBACK])


def labels_for(lang: str, overrides: Mapping[str, str]) -> Labels:
    """The labels of a language tag's primary language (English for one not in the table)."""
    language = lang.split("-")[0].lower()
    return Labels({**TABLE[FALLBACK], **TABLE.get(language, {}), **overrides})
