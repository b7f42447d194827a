"""Dutch insurance synonyms: maps every term of a group to the group's canonical form.

Clauses and conditions often say the same thing with other words ("auto" / "motorrijtuig",
"niet gedekt" / "uitgesloten"). Replacing synonyms by one canonical token before comparing lets a
paraphrase share tokens with the text it paraphrases.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from hienfeld.normalize import normalize_text


def default_synonyms_path() -> Path:
    """configs/synonyms.yaml of this repository."""
    return Path(__file__).resolve().parent.parent / "configs" / "synonyms.yaml"


class SynonymMap:
    """Synonym groups, matched on token sequences (lemmas) with the longest match first."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self._canonical: dict[tuple[str, ...], str] = {}
        owner: dict[tuple[str, ...], int] = {}
        self._groups = 0
        for index, group in enumerate(groups):
            # Entries go through normalize_text so "proces-verbaal" matches the tokens of a
            # normalised text ("proces", "verbaal").
            terms = [tuple(normalize_text(str(entry)).split()) for entry in group]
            terms = [term for term in terms if term]
            if not terms:
                raise ValueError(f"synonym group {index + 1} is empty")
            canonical = "_".join(terms[0])
            for term in terms:
                if owner.get(term, index) != index:
                    raise ValueError(
                        f"synonym term '{' '.join(term)}' occurs in groups "
                        f"{owner[term] + 1} and {index + 1}"
                    )
                owner[term] = index
                self._canonical[term] = canonical
            self._groups += 1
        self._longest = max((len(term) for term in self._canonical), default=1)

    @classmethod
    def from_yaml(cls, path: str | Path) -> SynonymMap:
        """Load a file with a top-level `groups:` list of lists of strings."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        groups = data.get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
            raise ValueError(f"{path}: expected a top-level 'groups:' list of lists")
        return cls(groups)

    def __len__(self) -> int:
        return self._groups

    def canonicalize(self, tokens: Sequence[str]) -> list[str]:
        """Replace synonyms in lower-case lemmas by their canonical form, longest match first.

        A multi-word canonical form becomes one token joined by "_" (e.g. "eigen_risico").
        """
        out: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            for size in range(min(self._longest, n - i), 0, -1):
                canonical = self._canonical.get(tuple(tokens[i : i + size]))
                if canonical is not None:
                    out.append(canonical)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out
