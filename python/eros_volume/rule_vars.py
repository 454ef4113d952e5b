"""`--set VAR=VALUE`: rule var overrides checked against dbt_project.yml before any work.

The known names are the project's `vars:`; a var's type is its default's type, or, for a var whose
default is null, the one `null_var_types` in dbt_project.yml gives it (with an optional `>= N`).
No rule lives here: only the names and types the project declares.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from collections.abc import Iterable
from typing import Any

import yaml

from .paths import project_dir

TYPES_VAR = "null_var_types"
TYPE_SPEC = re.compile(r"(integer|decimal|text|date|timestamp)(?:\s*>=\s*(-?[0-9.]+))?")
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


class RuleVarError(ValueError):
    """A --set option names an unknown var or a value of the wrong type (one line)."""


@functools.cache
def project_vars() -> dict[str, Any]:
    """The `vars:` of dbt_project.yml (defaults)."""
    with (project_dir() / "dbt_project.yml").open() as handle:
        return dict(yaml.safe_load(handle).get("vars") or {})


def var_types() -> dict[str, tuple[str, decimal.Decimal | None]]:
    """Each settable var's (type, minimum or None)."""
    defaults = project_vars()
    declared = defaults.get(TYPES_VAR) or {}
    types: dict[str, tuple[str, decimal.Decimal | None]] = {}
    for name, default in defaults.items():
        if name == TYPES_VAR or isinstance(default, dict):
            continue  # the types themselves; a package's vars (dbt_project_evaluator)
        if default is None:
            match = TYPE_SPEC.fullmatch(str(declared.get(name, "")).strip())
            if not match:
                raise RuleVarError(f"dbt_project.yml: {TYPES_VAR} gives var {name} no type")
            low = decimal.Decimal(match.group(2)) if match.group(2) else None
            types[name] = (match.group(1), low)
        elif isinstance(default, bool):
            types[name] = ("boolean", None)
        elif isinstance(default, int):
            types[name] = ("integer", None)
        elif isinstance(default, float):
            types[name] = ("decimal", None)
        else:
            types[name] = ("text", None)
    return types


def _convert(kind: str, text: str) -> Any:
    """The value of ``text`` as ``kind``, else ValueError."""
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", text):
            raise ValueError
        return int(text)
    if kind == "decimal":
        if not decimal.Decimal(text).is_finite():
            raise ValueError
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else float(text)
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValueError
        return lowered == "true"
    if kind == "date":
        return dt.date.fromisoformat(text).isoformat()
    if kind == "timestamp":
        for fmt in TIMESTAMP_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).strftime(TIMESTAMP_FORMATS[0])
            except ValueError:
                continue
        raise ValueError
    return text


def parse_value(name: str, text: str) -> Any:
    """``text`` as the value of var ``name``; RuleVarError when unknown or of the wrong type.
    ``null`` sets a var whose default is null back to null."""
    types = var_types()
    if name not in types:
        raise RuleVarError(f"--set {name}: unknown var (see vars in dbt_project.yml)")
    kind, low = types[name]
    text = text.strip()
    if text.lower() == "null" and project_vars()[name] is None:
        return None
    try:
        value = _convert(kind, text)
    except (ValueError, decimal.InvalidOperation):
        article = "an" if kind[0] in "ai" else "a"
        raise RuleVarError(f"--set {name}={text}: not {article} {kind}") from None
    if low is not None and decimal.Decimal(str(value)) < low:
        raise RuleVarError(f"--set {name}={text}: must be >= {low}")
    return value


def parse_settings(settings: Iterable[str] | None) -> dict[str, Any]:
    """``["VAR=VALUE", ...]`` as a dict of checked var values (the last of a name wins)."""
    values: dict[str, Any] = {}
    for setting in settings or ():
        name, sep, text = setting.partition("=")
        if not sep or not name.strip():
            raise RuleVarError(f"--set {setting}: expected VAR=VALUE")
        values[name.strip()] = parse_value(name.strip(), text)
    return values
