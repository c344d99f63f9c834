"""The answers of GET /v1/contracts/{id}[?as_of=] kept per process (adapters/contract_views.py):
emptied by a ring, never filled by a read that a change overtook, unused while a ring could not reach
the process, bounded by age and by bytes."""

from __future__ import annotations

from datetime import date

from contract_registry.adapters.contract_views import ContractViews

TODAY = date(2026, 12, 3)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _views(**kwargs: object) -> tuple[ContractViews, Clock, list[bool]]:
    clock, usable = Clock(), [True]
    views = ContractViews(usable=lambda: usable[0], clock=clock, **kwargs)  # type: ignore[arg-type]
    return views, clock, usable


def test_an_answer_is_kept_per_organisation_contract_date_and_day() -> None:
    views, _, _ = _views()
    key = views.key("org-a", "c-1", date(2026, 8, 1), TODAY)
    views.put(key, b'{"v":2}', views.generation)
    assert views.get(key) == b'{"v":2}'
    for other in (
        views.key("org-b", "c-1", date(2026, 8, 1), TODAY),
        views.key("org-a", "c-2", date(2026, 8, 1), TODAY),
        views.key("org-a", "c-1", date(2026, 8, 2), TODAY),
        views.key("org-a", "c-1", None, TODAY),
        views.key("org-a", "c-1", date(2026, 8, 1), date(2026, 12, 4)),
    ):
        assert views.get(other) is None


def test_a_ring_empties_every_answer() -> None:
    views, _, _ = _views()
    key = views.key("org-a", "c-1", None, TODAY)
    views.put(key, b"old", views.generation)
    views.clear()
    assert (views.get(key), len(views), views.size) == (None, 0, 0)


def test_a_read_overtaken_by_a_change_is_not_kept() -> None:
    views, _, _ = _views()
    key = views.key("org-a", "c-1", None, TODAY)
    began = views.generation  # the read notes the generation, then reads the database...
    views.clear()  # ...a change commits meanwhile...
    views.put(key, b"read before the change", began)
    assert views.get(key) is None  # ...and what it read is not kept
    views.put(key, b"read after", views.generation)
    assert views.get(key) == b"read after"


def test_nothing_is_kept_or_answered_while_a_ring_could_not_reach_the_process() -> None:
    views, _, usable = _views()
    key = views.key("org-a", "c-1", None, TODAY)
    views.put(key, b"kept", views.generation)
    usable[0] = False  # the listener is reconnecting: rings from other workers are missed
    assert views.get(key) is None
    views.put(views.key("org-a", "c-2", None, TODAY), b"not kept", views.generation)
    usable[0] = True
    assert views.get(views.key("org-a", "c-2", None, TODAY)) is None


def test_an_answer_older_than_the_ttl_is_read_again() -> None:
    views, clock, _ = _views(ttl_s=60.0)
    key = views.key("org-a", "c-1", None, TODAY)
    views.put(key, b"kept", views.generation)
    clock.now += 59.9
    assert views.get(key) == b"kept"
    clock.now += 0.1
    assert (views.get(key), views.size) == (None, 0)


def test_bounded_by_bytes_least_recently_used_first() -> None:
    views, _, _ = _views(max_bytes=10)
    one, two, three = (views.key("org-a", c, None, TODAY) for c in ("c-1", "c-2", "c-3"))
    views.put(one, b"1111", views.generation)
    views.put(two, b"2222", views.generation)
    assert views.get(one) == b"1111"  # c-1 used: c-2 is now the oldest
    views.put(three, b"3333", views.generation)
    assert (views.get(two), views.get(one), views.get(three), views.size) == (None, b"1111", b"3333", 8)
    views.put(views.key("org-a", "c-4", None, TODAY), b"x" * 11, views.generation)  # over on its own
    assert views.size == 8
    views.put(one, b"11", views.generation)  # replaced, counted once
    assert views.size == 6
