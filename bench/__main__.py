"""Run the benchmarks and print one table: `python -m bench [name ...]` (names: bench/bench_<name>.py).

Each module has ``run(args) -> list[Row]``; a Row is a dict with at least
``benchmark``, ``figure``, ``value``, ``unit`` and ``target`` (text), plus ``note``.
Benchmarks set up their own data (a scratch SQLite file or a scratch PostgreSQL database)
and never touch the development database.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")


def discover() -> list[str]:
    folder = str(Path(__file__).parent)
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([folder]) if m.name.startswith("bench_"))


def print_table(rows: list[dict]) -> None:
    cols = ["benchmark", "figure", "value", "unit", "target", "note"]
    cells = [[str(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c) for i, c in enumerate(cols)]
    print(" | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help=f"which benchmarks (default all: {', '.join(discover())})")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--ci", action="store_true", help="the shortest run CI makes (bench faults: `make drill`)")
    args = parser.parse_args()
    rows: list[dict] = []
    for name in args.names or discover():
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(module.run(args))
    print_table(rows)
    failed = [row["figure"] for row in rows if str(row.get("value")) == "FAIL"]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
