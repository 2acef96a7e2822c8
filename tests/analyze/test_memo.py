"""The bounded memo behind the techniques and attribution feature columns."""

from tracewire.analyze.memo import remembered


def test_computes_once_per_key_and_empties_at_the_limit() -> None:
    calls: list[str] = []

    def make(k: str) -> int:
        calls.append(k)
        return len(k)

    table: dict[str, int] = {}
    assert remembered(table, "ab", lambda: make("ab"), 2) == 2
    assert remembered(table, "ab", lambda: make("ab"), 2) == 2
    assert calls == ["ab"]
    remembered(table, "abc", lambda: make("abc"), 2)
    assert table == {"ab": 2, "abc": 3}
    # a third key finds the table full: it is emptied, so memory stays bounded, and the value is still right
    assert remembered(table, "abcd", lambda: make("abcd"), 2) == 4
    assert table == {"abcd": 4}
    assert calls == ["ab", "abc", "abcd"]
