import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_fragment_cache():
    """Rolled-back tests reuse primary keys, so cached agenda fragments must not outlive a test."""
    cache.clear()
    yield
    cache.clear()
