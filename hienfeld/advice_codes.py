"""The advice codes: one enum, each code with its family and its display label.

An `AdviceCode` is a `StrEnum` whose value is the label the report, the API (`advice_code`) and
the web page show ("🔄 VERVANGEN"), so existing clients read what they always did; `plain` is the
label without its emoji (for a browser or a file without an emoji font), `family` what kind of
action it asks. A custom instruction's advice is labelled "📋 <action>" (`instruction_label`): its
action is the analyst's own text, so it is no member; `family_of` answers for any label."""

from __future__ import annotations

from enum import StrEnum


class Family(StrEnum):
    REMOVE = "remove"  # the clause can go
    REPLACE = "replace"  # a standard clause takes its place (or it should become one)
    CHECK = "check"  # a person has to look
    KEEP = "keep"  # it stays
    INFO = "info"  # nothing to do but know
    HYGIENE = "hygiene"  # the text itself is empty, unfinished or garbled


class AdviceCode(StrEnum):
    REMOVE = "VERWIJDEREN"
    LAPSED = "📅 VERWIJDEREN (VERLOPEN)"
    REPLACE = "🔄 VERVANGEN"
    STANDARDISE = "🛠️ STANDAARDISEREN"
    SIMILAR = "🔍 CONTROLEER GELIJKENIS"
    MANUAL = "HANDMATIG CHECKEN"
    CONSISTENCY = "🔄 CONSISTENTIE CHECK"
    KEEP = "✅ BEHOUDEN"
    UNIQUE = "✨ UNIEK"
    FREQUENCY = "📊 FREQUENTIE INFO"
    EMPTY = "⚪ LEEG"
    FILL = "📝 AANVULLEN"
    CLEAN = "🧹 OPSCHONEN"

    @property
    def label(self) -> str:
        """As shown, with its emoji."""
        return self.value

    @property
    def plain(self) -> str:
        """The label without its emoji: "VERVANGEN"."""
        return _plain(self.value)

    @property
    def family(self) -> Family:
        return _FAMILIES[self]


_FAMILIES = {
    AdviceCode.REMOVE: Family.REMOVE, AdviceCode.LAPSED: Family.REMOVE,
    AdviceCode.REPLACE: Family.REPLACE, AdviceCode.STANDARDISE: Family.REPLACE,
    AdviceCode.SIMILAR: Family.CHECK, AdviceCode.MANUAL: Family.CHECK, AdviceCode.CONSISTENCY: Family.CHECK,
    AdviceCode.KEEP: Family.KEEP,
    AdviceCode.UNIQUE: Family.INFO, AdviceCode.FREQUENCY: Family.INFO,
    AdviceCode.EMPTY: Family.HYGIENE, AdviceCode.FILL: Family.HYGIENE, AdviceCode.CLEAN: Family.HYGIENE,
}
HYGIENE_CODES = frozenset(c for c in AdviceCode if c.family is Family.HYGIENE)
INSTRUCTION_MARK = "📋 "


def instruction_label(action: str) -> str:
    """The advice of a custom instruction: its action, marked as the analyst's own."""
    return INSTRUCTION_MARK + action


def family_of(label: str) -> Family | None:
    """The family of any advice label; None for a custom instruction's (its action is free text)."""
    try:
        return AdviceCode(label).family
    except ValueError:
        return None


def plain_label(label: str) -> str:
    """Any advice label without its emoji ("📋 NAAR JURIDISCH" -> "NAAR JURIDISCH"): the report's
    `Adviescode` column, readable where no emoji font is."""
    return label.split(" ", 1)[1] if label[:1] and not label[:1].isascii() and " " in label else label


_plain = plain_label


def code_table() -> list[dict[str, str]]:
    """Every code as the web page reads it: name, label, plain label, family."""
    return [{"code": c.name, "label": c.label, "plain": c.plain, "family": c.family.value} for c in AdviceCode]
