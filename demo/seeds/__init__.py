"""Demo data, built in steps.

Each module here named ``sNN_<what>.py`` has ``run(ctx: SeedContext) -> None``; steps run in
name order inside one transaction. Every step must be idempotent: look rows up by a natural
key and create or update them, so running ``seed_demo`` twice changes nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "ketnoi-demo-2026"  # noqa: S105 (published demo login)


@dataclass
class SeedContext:
    rng: random.Random
    password: str = DEMO_PASSWORD
    event: Any = None
    organizer_org: Any = None
    producers: list = field(default_factory=list)
    products: list = field(default_factory=list)
    buyers: list = field(default_factory=list)  # organizations
    departments: list = field(default_factory=list)
    users: dict = field(default_factory=dict)  # key -> user
    logins: list[tuple[str, str]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def step_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("s") and m.name[1:3].isdigit()]
    return sorted(names)


def run_all(stdout=None) -> SeedContext:
    ctx = SeedContext(rng=random.Random(20261209))
    for name in step_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        module.run(ctx)
        if stdout is not None:
            stdout.write(f"  seeded {name[4:]}")
    return ctx
