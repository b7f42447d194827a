"""The masking rules of `hienfeld/configs/masking.yaml` (value kinds, labels, meaning words, library
blanks and equivalents), validated with the same file-and-key messages as analysis.yaml;
`hienfeld.normalize.masking_rules` compiles them."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config_reader import Reader, kind_of, packaged_config, read_yaml


@dataclass(frozen=True)
class ValueKind:
    """One `values:` entry: a kind of value filled into a clause and the pattern that finds it."""

    kind: str  # the placeholder word, e.g. "bedrag"
    pattern: str  # a Python regular expression, matched case-insensitively


@dataclass(frozen=True)
class MaskingSettings:
    """`configs/masking.yaml` as the file says it; `hienfeld.normalize.masking_rules` compiles it."""

    values: tuple[ValueKind, ...]  # in the file's order: the first that matches wins
    leading_label: str  # regular expression
    meaning_words: tuple[str, ...]
    validity_words: tuple[str, ...]
    library_blanks: str  # regular expression
    library_equivalents: tuple[tuple[str, ...], ...]  # each group's words are read as its first


def _pattern(r: Reader, value: Any, key: str) -> str:
    pattern = r.string(value, key)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise r.fail(key, f"not a valid regular expression ({exc})") from None
    return pattern


def parse_masking(raw: Any, source: str = "masking.yaml") -> MaskingSettings:
    """Masking settings from one parsed YAML document; raises ConfigError naming `source` and the key."""
    r = Reader(source)
    names = tuple(f.name for f in dataclasses.fields(MaskingSettings))
    raw = r.mapping(raw, "", required=names)
    if not isinstance(raw["values"], list) or not raw["values"]:
        raise r.fail("values", f"expected a non-empty list, got {kind_of(raw['values'])}")
    values, kinds = [], set()
    for i, entry in enumerate(raw["values"]):
        key = f"values[{i}]"
        entry = r.mapping(entry, key, required=("kind", "pattern"))
        kind = r.string(entry["kind"], f"{key}.kind")
        if not kind.isidentifier() or kind in kinds:
            raise r.fail(f"{key}.kind", f"{kind!r} is {'used twice' if kind in kinds else 'not a plain word'}")
        kinds.add(kind)
        values.append(ValueKind(kind, _pattern(r, entry["pattern"], f"{key}.pattern")))
    groups = raw["library_equivalents"]
    if not isinstance(groups, list):
        raise r.fail("library_equivalents", f"expected a list, got {kind_of(groups)}")
    equivalents = []
    for i, group in enumerate(groups):
        words = r.strings(group, f"library_equivalents[{i}]")
        if len(words) < 2:
            raise r.fail(f"library_equivalents[{i}]", "a group needs the word read and at least one it stands for")
        equivalents.append(tuple(words))
    return MaskingSettings(
        values=tuple(values),
        leading_label=_pattern(r, raw["leading_label"], "leading_label"),
        meaning_words=tuple(r.strings(raw["meaning_words"], "meaning_words")),
        validity_words=tuple(r.strings(raw["validity_words"], "validity_words")),
        library_blanks=_pattern(r, raw["library_blanks"], "library_blanks"),
        library_equivalents=tuple(equivalents),
    )


def load_masking(path: str | Path | None = None) -> MaskingSettings:
    """Validated masking settings from `path` or the packaged masking.yaml (read once per file)."""
    path = Path(path or packaged_config("masking.yaml"))
    return parse_masking(read_yaml(str(path.resolve()), str(path)), str(path))
