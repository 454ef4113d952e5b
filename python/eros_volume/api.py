"""The four legacy MCP functions, answered from the dbt marts (no rule lives here).

Answers keep the original tools' shapes, error texts and JSON types (SPEC 8). A build file that is
missing or unreadable raises StoreUnavailable here (the CLI exits 1 for it, the MCP server makes it
a tool error); the module-level functions of the package turn it into ``{"error": ...}``
(:func:`legacy`), as the original tools answered every failure.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from .store import StoreUnavailable, default_db_path, fetch_dicts, freshness, read_connection

CREATOR_ID_MAX_LENGTH = 100
CREATOR_ID_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
PAGE_TYPES = ("paid", "free")
PERFORMANCE_TIERS = range(1, 6)  # creators.performance_tier of the original schema (SPEC 1)
TIER_ERROR = "tier must be an integer performance tier or one of Low, Mid, High, Ultra"
PAGE_TYPE_ERROR = "page_type must be 'paid' or 'free'"
SINCE_ERROR = "since must be a date 'YYYY-MM-DD'"
INVALID_ID = "Invalid creator_id: creator_id "
EMPTY_ID = INVALID_ID + "cannot be empty"
LONG_ID = INVALID_ID + f"exceeds maximum length of {CREATOR_ID_MAX_LENGTH}"
BAD_CHARACTERS_ID = (
    INVALID_ID + "contains invalid characters (only alphanumeric, underscore, and hyphen allowed)"
)

Method = TypeVar("Method", bound=Callable[..., dict[str, Any]])


def invalid_creator_id(creator_id: Any) -> dict[str, str] | None:
    """The original's validation of a lookup key, in its order: empty, too long, characters
    outside [A-Za-z0-9_-] (a trailing newline included; a non-string is refused the same way).
    Stored ids outside that set are reached by their page_name (docs/rules.md)."""
    if not creator_id:
        return {"error": EMPTY_ID}
    if not isinstance(creator_id, str):
        return {"error": BAD_CHARACTERS_ID}
    if len(creator_id) > CREATOR_ID_MAX_LENGTH:
        return {"error": LONG_ID}
    if not CREATOR_ID_CHARACTERS.fullmatch(creator_id):
        return {"error": BAD_CHARACTERS_ID}
    return None


def legacy(method: Method) -> Method:
    """A StoreUnavailable (missing or unreadable build) as the legacy ``{"error": ...}``."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return method(*args, **kwargs)
        except StoreUnavailable as exc:
            return {"error": str(exc)}

    return wrapper  # type: ignore[return-value]


class VolumeStore:
    """The legacy functions against one build file (``connect(path)``)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._pinned = threading.local()

    @contextmanager
    def _one_build(self) -> Iterator[None]:
        """Every query of this thread inside the block reads the same build file, so an answer
        made of several queries comes whole from one build even while a build swaps a new one in."""
        if getattr(self._pinned, "cursor", None) is not None:
            yield
            return
        with read_connection(self.path) as cursor:
            self._pinned.cursor = cursor
            try:
                yield
            finally:
                self._pinned.cursor = None

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            with self._one_build():
                return fetch_dicts(self._pinned.cursor, sql, params or {})
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            reason = str(exc).splitlines()[0]
            raise StoreUnavailable(
                f"{self.path} is not an eros-volume build (run `eros-volume build`): {reason}"
            ) from exc

    def _find(self, select: str, creator_id: str) -> list[dict[str, Any]]:
        """Rows of ``select`` (a query ending in its FROM clause) for the creator_id, else for the
        page_name: two indexed lookups rather than one OR that scans the table."""
        key = {"id": creator_id}
        rows = self._rows(f"{select} where creator_id = $id", key)
        by_page = f"{select} where page_name = $id order by creator_id limit 1"
        return rows or self._rows(by_page, key)

    def get_volume_config(self, creator_id: str) -> dict[str, Any]:
        """The creator's volume_config row: tier, per-day volumes, scores and their source."""
        if error := invalid_creator_id(creator_id):
            return error
        return self._volume_config(creator_id)

    def _volume_config(self, creator_id: str) -> dict[str, Any]:
        rows = self._find("select * from volume_config", creator_id)
        if not rows:
            return {"error": f"Creator not found: {creator_id}"}
        return rows[0]

    def get_volume_assignment(self, creator_id: str, *, _stacklevel: int = 2) -> dict[str, Any]:
        """Deprecated: the legacy assignment shape, now from the dynamic calculation."""
        # The warning names the caller's line (_stacklevel=4 from the module-level function,
        # through its @legacy wrapper), so that Python's default filters show it to a script.
        warnings.warn(
            "get_volume_assignment is deprecated; use get_volume_config()",
            DeprecationWarning,
            stacklevel=_stacklevel,
        )
        if error := invalid_creator_id(creator_id):
            return error
        rows = self._find(
            "select volume_level, ppv_per_day, bump_per_day, assigned_at, assigned_by,"
            " assigned_reason, is_deprecated as _deprecated, deprecation_message as _message"
            " from volume_assignment",
            creator_id,
        )
        if not rows:
            return {"error": f"Creator not found: {creator_id}"}
        return rows[0]

    def get_active_creators(
        self, tier: int | str | None = None, page_type: str | None = None
    ) -> dict[str, Any]:
        """Active creators by earnings, optionally by performance tier / level and page type."""
        where = ["true"]
        params: dict[str, Any] = {}
        if page_type is not None:
            if page_type not in PAGE_TYPES:
                return {"error": PAGE_TYPE_ERROR}
            where.append("page_type = $page_type")
            params["page_type"] = page_type
        if tier is not None:
            if isinstance(tier, int) and not isinstance(tier, bool) and tier in PERFORMANCE_TIERS:
                where.append("performance_tier = $tier")
                params["tier"] = tier
            elif isinstance(tier, str) and self._is_volume_level(tier):
                where.append("lower(dynamic_volume_level) = lower($tier)")
                params["tier"] = tier
            else:
                return {"error": TIER_ERROR}
        creators = self._rows(
            "select * exclude (dynamic_volume_level, earnings_rank) from active_creators"
            f" where {' and '.join(where)} order by earnings_rank",
            params,
        )
        return {"creators": creators, "count": len(creators)}

    def _is_volume_level(self, name: str) -> bool:
        rows = self._rows(
            "select 1 from volume_tiers where lower(volume_level) = lower($name) limit 1",
            {"name": name},
        )
        return bool(rows)

    def get_creator_profile(self, creator_id: str) -> dict[str, Any]:
        """Creator columns, 30-day analytics summary, volume config and top content types."""
        if error := invalid_creator_id(creator_id):
            return error
        with self._one_build():
            return self._profile(creator_id)

    def _profile(self, creator_id: str) -> dict[str, Any]:
        # is_active as the original's SQLite integer 1/0 (SPEC 8), not a boolean.
        creators = self._find(
            "select * exclude (primary_tone, secondary_tone, emoji_frequency, slang_level)"
            " replace (cast(is_active as integer) as is_active) from creator_profile",
            creator_id,
        )
        if not creators:
            return {"error": f"Creator not found: {creator_id}"}
        creator = creators[0]
        key = {"id": creator["creator_id"]}
        summaries = self._rows(
            "select * exclude (creator_id) from creator_analytics_summary where creator_id = $id",
            key,
        )
        content_types = self._rows(
            "select * exclude (content_rank), content_rank as rank"
            " from creator_top_content_types where creator_id = $id order by content_rank",
            key,
        )
        return {
            "creator": creator,
            "analytics_summary": summaries[0] if summaries else None,
            "volume_assignment": self._volume_config(creator["creator_id"]),
            "top_content_types": content_types,
        }

    def explain_volume(self, creator_id: str) -> dict[str, Any]:
        """The creator's explanation with the build's rule thresholds and tier brackets (the
        volume_rule_thresholds mart and the volume_tiers rows of its page type)."""
        if error := invalid_creator_id(creator_id):
            return error
        with self._one_build():
            config = self._volume_config(creator_id)
            if "error" in config:
                return config
            thresholds = self._rows(
                "select * from volume_rule_thresholds order by applies_to, threshold_name"
            )
            brackets = self._rows(
                "select * exclude (page_type) from volume_tiers where page_type = $page_type"
                " order by min_fans desc",
                {"page_type": config["page_type"]},
            )
        return {
            "creator_id": config["creator_id"],
            "page_name": config["page_name"],
            "volume_level": config["volume_level"],
            "explanation": config["explanation"],
            "data_quality_flags": config["data_quality_flags"],
            "volume_config": config,
            "rule_thresholds": thresholds,
            "tier_brackets": brackets,
        }

    def freshness(self) -> dict[str, Any] | None:
        """The build's as_of and the age of its data (the data_freshness mart), or None."""
        with self._one_build():
            return freshness(self._pinned.cursor)

    def get_volume_changes(
        self, creator_id: str | None = None, since: str | None = None
    ) -> dict[str, Any]:
        """Change rows (SPEC 9): of the serving publication, or with ``since`` of every
        publication whose day is ``since`` or later; optionally of one creator."""
        where = []
        params: dict[str, Any] = {}
        if since is None:
            where.append("as_of = (select as_of from build_info)")
        else:
            try:
                params["since"] = dt.date.fromisoformat(str(since).strip())
            except ValueError:
                return {"error": SINCE_ERROR}
            where.append("cast(as_of as date) >= $since")
        with self._one_build():
            if creator_id is not None:
                if error := invalid_creator_id(creator_id):
                    return error
                found = self._find("select creator_id from volume_config", creator_id)
                if not found:
                    return {"error": f"Creator not found: {creator_id}"}
                where.append("creator_id = $creator")
                params["creator"] = found[0]["creator_id"]
            changes = self._rows(
                f"select * from volume_config_changes where {' and '.join(where)}"
                " order by as_of, creator_id",
                params,
            )
        return {"changes": changes, "count": len(changes)}

    def all_volume_configs(self) -> list[dict[str, Any]]:
        """Every creator's volume_config row, by creator_id."""
        return self._rows("select * from volume_config order by creator_id")


def connect(path: str | Path | None = None) -> VolumeStore:
    """A store over the build file at ``path`` (default: ``$EROS_VOLUME_DB`` or build/...)."""
    return VolumeStore(path)
