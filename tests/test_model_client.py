"""Bounded retries of model calls (pure logic: the handle is replaced by a scripted stand-in)."""

from __future__ import annotations

import pytest

from dataclasses import replace

from deployments import model_client
from deployments.model_client import ServeModels
from hienfeld.config import load_settings


def _calls(**changes):
    """The configured model-call settings (service.model_calls) with some changed."""
    return replace(load_settings().model_calls, **changes)


class _Response:
    def __init__(self, outcome):
        self.outcome = outcome

    def result(self, timeout_s=None):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class _Method:
    """Answers each call with the next scripted outcome."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    def remote(self, texts, **kwargs):
        self.calls += 1
        outcome = self.outcomes.pop(0)
        return _Response([[t.lower()] for t in texts] if outcome == "ok" else outcome)


class _Handle:
    def __init__(self, outcomes):
        self.lemmatize = _Method(outcomes)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(model_client.time, "sleep", lambda s: None)


def test_a_timed_out_call_is_retried():
    parser = _Handle([TimeoutError(), "ok"])
    models = ServeModels(parser, None, "job", _calls(chunk_size=10, retries=2))
    assert models.lemmatize(["A", "B"]) == [["a"], ["b"]]
    assert parser.lemmatize.calls == 2


def test_retries_are_bounded():
    parser = _Handle([TimeoutError()] * 3)
    models = ServeModels(parser, None, "job", _calls(chunk_size=10, retries=2))
    with pytest.raises(RuntimeError, match="3 attempts"):
        models.lemmatize(["A"])
    assert parser.lemmatize.calls == 3


def test_texts_are_sent_in_chunks_and_reassembled_in_order():
    parser = _Handle(["ok"] * 3)
    models = ServeModels(parser, None, "job", _calls(chunk_size=2))
    assert models.lemmatize(["A", "B", "C", "D", "E"]) == [["a"], ["b"], ["c"], ["d"], ["e"]]
    assert parser.lemmatize.calls == 3


def test_no_more_than_max_in_flight_requests_at_a_time():
    class Counting(_Method):
        def __init__(self):
            super().__init__(["ok"] * 10)
            self.open = self.peak = 0

        def remote(self, texts, **kwargs):
            self.open += 1
            self.peak = max(self.peak, self.open)
            response = super().remote(texts, **kwargs)
            method = self

            class Done(_Response):
                def result(self, timeout_s=None):
                    method.open -= 1
                    return response.result(timeout_s)
            return Done(None)

    parser = _Handle([])
    parser.lemmatize = Counting()
    models = ServeModels(parser, None, "job", _calls(chunk_size=1, max_in_flight=3))
    assert models.lemmatize([str(i) for i in range(10)]) == [[str(i)] for i in range(10)]
    assert parser.lemmatize.peak == 3


def test_the_call_settings_passed_in_are_used():
    calls = _calls(chunk_size=7, max_in_flight=5, retries=4, timeout_s=3.5)
    models = ServeModels(None, None, "job", calls)
    assert (models.chunk_size, models.max_in_flight, models.retries, models.timeout_s) == (
        calls.chunk_size, calls.max_in_flight, calls.retries, calls.timeout_s)
