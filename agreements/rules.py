"""Agreement permissions as django-rules predicates (built on ``eventsite.rules``). The predicates live beside the
rules they guard in ``services/parties.py`` (the services check them too); views and templates ask
``has_perm("agreements.edit_agreement", agreement)``."""

from __future__ import annotations

import rules

from .services.parties import may_edit_agreement

rules.add_perm("agreements.edit_agreement", may_edit_agreement)
