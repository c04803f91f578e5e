import pytest

from tests.matchmaking.factories import fair as make_fair


@pytest.fixture
def fair(db):
    return make_fair()
