"""Print the permission matrix (every route × every role) as the Markdown table of docs/security.md.

    .venv/bin/python -m tests.security.matrix_table > /tmp/matrix.md

It reads the same declarations the matrix tests check (``event_view``'s ``required_roles``, the tables in
test_route_matrix.py and test_websocket_matrix.py), so the document and the tests cannot disagree.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    import django

    django.setup()
    from eventsite.models import EventRole
    from tests.security.test_route_matrix import ALL, EVENT, PREFIXES, TOKEN_ROUTES, kind_of
    from tests.security.test_websocket_matrix import EXPECTED, PUBLIC, ROUTES

    role = EventRole.Role
    columns = [("anon.", "anonymous"), ("buyer", role.BUYER), ("exhib.", role.EXHIBITOR), ("speaker", role.SPEAKER),
               ("desk", role.DESK_STAFF), ("organizer", role.ORGANIZER), ("other org.", "other_organizer")]

    def cell(required, who) -> str:
        if required is None:
            return "✓"
        if who in required:
            return "✓"
        return "login" if who == "anonymous" else "403"

    print("| route | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for route, pattern in ALL:
        if not route.startswith(EVENT):
            continue
        if route in TOKEN_ROUTES:
            print(f"| `{route}` | " + " | ".join("token" for _ in columns) + " |")
            continue
        required = pattern.callback.required_roles
        print(f"| `{route}` | " + " | ".join(cell(required, who) for _, who in columns) + " |")
    print()
    print("| websocket route | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for route in ROUTES:
        allowed = EXPECTED[route]
        print(f"| `{route}` | " + " | ".join(
            "✓" if allowed == PUBLIC or who in allowed else "refused" for _, who in columns) + " |")
    print()
    print("| pages outside an event | who | why |")
    print("|---|---|---|")
    seen_prefix = set()
    for route, _pattern in ALL:
        if route.startswith(EVENT):
            continue
        for prefix in PREFIXES:
            if route.startswith(prefix):
                if prefix not in seen_prefix:
                    seen_prefix.add(prefix)
                    kind, why = PREFIXES[prefix]
                    print(f"| `{prefix}…` | {kind} | {why} |")
                break
        else:
            kind, why = kind_of(route)
            print(f"| `/{route}` | {kind} | {why} |")


if __name__ == "__main__":
    main()
