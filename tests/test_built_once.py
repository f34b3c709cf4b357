"""Statements built once per key (`tracker.db.BuiltOnce`): bounded, least recently used first."""

from __future__ import annotations

from tracker.db import BuiltOnce


def _builder(built: list[str], name: str):
    def build() -> str:
        built.append(name)
        return f"statement {name}"

    return build


def test_a_full_map_forgets_the_least_recently_used_key_only() -> None:
    kept: BuiltOnce[str] = BuiltOnce(3)
    built: list[str] = []
    for name in ("everyone", "lawyer 1", "lawyer 2"):
        assert kept.get(name, _builder(built, name)) == f"statement {name}"
    kept.get("everyone", _builder(built, "everyone"))  # used again: the newest
    kept.get("lawyer 3", _builder(built, "lawyer 3"))  # one more: "lawyer 1" goes
    assert built == ["everyone", "lawyer 1", "lawyer 2", "lawyer 3"]
    assert sorted(kept.kept()) == ["statement everyone", "statement lawyer 2", "statement lawyer 3"]
    # many users' own statements never push out the one everyone uses while it is used
    for i in range(4, 20):
        kept.get("everyone", _builder(built, "everyone"))
        kept.get(f"lawyer {i}", _builder(built, f"lawyer {i}"))
    assert built.count("everyone") == 1
    assert len(kept.kept()) == 3
    # a forgotten key is built anew when asked again
    kept.get("lawyer 1", _builder(built, "lawyer 1"))
    assert built.count("lawyer 1") == 2


def test_clear_forgets_everything() -> None:
    kept: BuiltOnce[str] = BuiltOnce(2)
    built: list[str] = []
    kept.get("a", _builder(built, "a"))
    kept.clear()
    assert kept.kept() == []
    kept.get("a", _builder(built, "a"))
    assert built == ["a", "a"]
