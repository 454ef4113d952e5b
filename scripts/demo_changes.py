"""Change-control demo: build the bundled demo at four as_of dates (fan counts drifting between
them), without and with the stability rule, and print what changed at each publication.

    .venv/bin/python scripts/demo_changes.py [--workdir /tmp/eros-changes-demo]

Then look around, e.g.:
    EROS_VOLUME_DB=/tmp/eros-changes-demo/plain/eros_volume.duckdb .venv/bin/eros-volume changes
    EROS_VOLUME_DB=/tmp/eros-changes-demo/stable/eros_volume.duckdb \
        .venv/bin/eros-volume changes --since 2025-12-13
    EROS_VOLUME_DB=... .venv/bin/eros-volume dashboard
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eros_volume.change_demo import change_counts, run_demo

STABILITY = {"stability_tier_buffer_pct": 5, "stability_max_step": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/eros-changes-demo")
    parser.add_argument("--verbose", action="store_true", help="show the builds' progress")
    args = parser.parse_args()
    for name, settings in (("plain", {}), ("stable", STABILITY)):
        db = run_demo(Path(args.workdir) / name, settings=settings, echo=args.verbose)
        label = ", ".join(f"{k}={v}" for k, v in settings.items()) or "stability rule off"
        print(f"{name} ({label}): {db}")
        print("  as_of                new  changed  held  limited")
        for row in change_counts(db):
            print(
                f"  {row['as_of']}  {row['new']:>3}  {row['changed']:>7}"
                f"  {row['held']:>4}  {row['limited']:>7}"
            )


if __name__ == "__main__":
    main()
