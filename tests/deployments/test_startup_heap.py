import gc
import weakref

import pytest

from daas.deployments.startup_heap import freeze_startup_heap


class Node:
    pass


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_objects_alive_at_start_are_left_out_of_later_collections(unfrozen):
    kept = Node()
    kept.itself = kept
    assert gc.is_tracked(kept) and any(obj is kept for obj in gc.get_objects())
    freeze_startup_heap()
    assert gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())  # no generation walks it now
    born_later = Node()
    assert any(obj is born_later for obj in gc.get_objects(generation=0))


def test_garbage_from_start_up_is_collected_not_frozen(unfrozen):
    cycle = Node()
    cycle.itself = cycle
    gone = weakref.ref(cycle)
    del cycle
    freeze_startup_heap()
    assert gone() is None
