"""eros-volume: daily send volumes per creator, computed by dbt on DuckDB.

The four legacy MCP functions read the marts of the build file (``$EROS_VOLUME_DB``, default
``build/eros_volume.duckdb``); ``connect(path)`` gives the same functions on another file. Like
the original tools they return a dict, ``{"error": "..."}`` for every failure, a missing or
unreadable build file included.
"""

from .api import VolumeStore, connect, legacy
from .build import BuildError, build
from .store import StoreUnavailable


@legacy
def get_volume_config(creator_id: str) -> dict:
    """The creator's dynamic volume configuration (legacy MCP signature)."""
    return connect().get_volume_config(creator_id)


@legacy
def get_volume_assignment(creator_id: str) -> dict:
    """Deprecated legacy shape of the volume configuration; emits a DeprecationWarning."""
    return connect().get_volume_assignment(creator_id, _stacklevel=4)


@legacy
def get_active_creators(tier: int | str | None = None, page_type: str | None = None) -> dict:
    """Active creators by earnings, filtered by performance tier / volume level and page type."""
    return connect().get_active_creators(tier=tier, page_type=page_type)


@legacy
def get_creator_profile(creator_id: str) -> dict:
    """Creator, analytics summary, volume configuration and top content types."""
    return connect().get_creator_profile(creator_id)


def get_volume_changes(creator_id: str | None = None, since: str | None = None) -> dict:
    """What changed at the serving publication (or at every publication since a day) and why."""
    return connect().get_volume_changes(creator_id=creator_id, since=since)


__all__ = [
    "BuildError",
    "StoreUnavailable",
    "VolumeStore",
    "build",
    "connect",
    "get_active_creators",
    "get_creator_profile",
    "get_volume_changes",
    "get_volume_assignment",
    "get_volume_config",
]
