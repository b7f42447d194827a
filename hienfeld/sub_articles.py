"""Which numbered sub-article of an article a clause is about.

An analyst told to check or remove a clause wants the rule ("Art. 12.1"), not the chapter. The
match scores that find the article rank its sub-articles by the words they share with the clause,
so a sibling stating another case in the same words ("eigen risico van € 100 per gebeurtenis" for
another section) outranks the rule the clause states in other words. Within the article the rule
is therefore chosen on what identifies it: the amounts the clause names, then what it says (the
words it shares with the clause, plus the sentence encoder's cosine where the job has one).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Sequence

from .amounts import filled_amounts
from .normalize import normalize_text
from .paraphrase import word_share
from .template_match import Token, plain_tokens
from .types import Chunk


class SubArticles:
    """The numbered sub-articles of each article in the conditions."""

    def __init__(self, chunks: Sequence[Chunk], cosine: Callable[[str, str], float] | None = None):
        self._cosine = cosine
        self._of: dict[tuple[str, str], list[tuple[Chunk, frozenset[str], list[Token]]]] = defaultdict(list)
        for chunk in chunks:
            if chunk.sub_id:
                self._of[chunk.file, chunk.article_id].append(
                    (chunk, frozenset(filled_amounts(chunk.text)), plain_tokens(normalize_text(chunk.text))))

    def locate(self, clause: str, chunk: Chunk) -> Chunk:
        """The sub-article of `chunk`'s article that states the clause's amounts, the one most like
        the clause among those; `chunk` itself where its article has no numbered sub-articles."""
        subs = self._of.get((chunk.file, chunk.article_id))
        if not subs:
            return chunk
        amounts = frozenset(filled_amounts(clause))
        words = plain_tokens(normalize_text(clause))

        def rank(entry: tuple[Chunk, frozenset[str], list[Token]]) -> tuple[bool, float]:
            sub, stated, theirs = entry
            likeness = word_share(words, theirs) + (self._cosine(clause, sub.text) if self._cosine else 0.0)
            return bool(amounts) and amounts <= stated, likeness
        return max(subs, key=rank)[0]
