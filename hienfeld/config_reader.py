"""Reading the shipped YAML configuration: where the files are, and a checker whose every error
names the file and the dotted key (`.../analysis.yaml: thresholds.conditions_remve: unknown key`),
shared by `hienfeld.config` (analysis.yaml) and `hienfeld.masking_config` (masking.yaml)."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def packaged_config(name: str) -> Path:
    """A file of hienfeld/configs/. A real path: the package is installed unzipped (pip, editable or not)."""
    return Path(str(resources.files("hienfeld") / "configs" / name))


class ConfigError(ValueError):
    """The analysis configuration is invalid; the message names the file and the key."""


class Reader:
    """Checks one raw YAML document; every error names the file and the dotted key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {key}: {message}" if key else f"{self.source}: {message}")

    def mapping(self, value: Any, key: str, required: tuple[str, ...] | None = None,
                optional: tuple[str, ...] = (), allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        """A mapping with exactly `required` (+ `optional`) keys, or any subset of `allowed`."""
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {kind_of(value)}")
        known = allowed if allowed is not None else (required or ()) + optional
        for name in value:
            if name not in known:
                raise self.fail(join_key(key, str(name)), "unknown key")
        for name in required or ():
            if name not in value:
                raise self.fail(join_key(key, name), "missing key")
        return value

    def section(self, raw: dict[str, Any], key: str, cls: type) -> dict[str, Any]:
        names = tuple(f.name for f in dataclasses.fields(cls))
        section = self.mapping(raw, key, required=names)
        return {f.name: self.value(section[f.name], join_key(key, f.name), f.type) for f in dataclasses.fields(cls)}

    def value(self, value: Any, key: str, kind: str) -> Any:
        return {"int": self.integer, "float": self.number, "str": self.string}[kind](value, key)

    def integer(self, value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {kind_of(value)}")
        return value

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number, got {kind_of(value)}")
        return float(value)

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {kind_of(value)}")
        return value

    def strings(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"expected a non-empty list of strings, got {kind_of(value)}")
        return [self.string(v, f"{key}[{i}]") for i, v in enumerate(value)]

    def numbers(self, value: Any, key: str, allowed: tuple[str, ...], required: bool = False) -> dict[str, float]:
        found = self.mapping(value, key, required=allowed) if required else self.mapping(value, key, allowed=allowed)
        return {str(name): self.number(v, join_key(key, str(name))) for name, v in found.items()}


def join_key(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "a boolean", int: "an integer", float: "a number", str: f"the string {value!r}",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def read_yaml(file: str, shown: str) -> Any:
    try:
        with open(file, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML ({exc})") from None
