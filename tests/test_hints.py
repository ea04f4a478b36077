"""riskmon.core.hints: the run-time stand-ins for typing's names behave as typing's do where
riskmon uses them (mypy reads typing's own; tests/test_record.py checks the decorators with mypy)."""

from __future__ import annotations

import pickle
import typing

import pytest

from riskmon.core.hints import TYPE_CHECKING, NamedTuple, dataclass_transform, overload
from riskmon.core.reach import Reach
from riskmon.sources.config.files import Read


class Point(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str = "p"

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)


class TypedPoint(typing.NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str = "p"


def test_type_checking_is_false_at_run_time() -> None:
    assert TYPE_CHECKING is False


def test_named_tuple_is_typing_s_at_run_time() -> None:
    p = Point(3, -4)
    t = TypedPoint(3, -4)
    assert isinstance(p, tuple)
    assert tuple(p) == tuple(t) == (3, -4, "p")
    assert Point._fields == TypedPoint._fields == ("x", "y", "label")
    assert Point._field_defaults == TypedPoint._field_defaults == {"y": 0, "label": "p"}
    assert repr(p) == "Point(x=3, y=-4, label='p')"
    assert Point.__doc__ == TypedPoint.__doc__ == "A point."
    assert Point.__module__ == TypedPoint.__module__ == __name__
    assert Point.__qualname__ == "Point"
    assert p.norm1 == 7 and p.moved(2) == Point(5, -4)
    assert p == (3, -4, "p") and hash(p) == hash((3, -4, "p"))
    x, y, label = p
    assert (x, y, label) == (3, -4, "p")
    assert pickle.loads(pickle.dumps(p)) == p
    with pytest.raises(AttributeError):
        p.x = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str"}  # typing's: ForwardRefs
    assert list(Point.__annotations__) == list(TypedPoint.__annotations__)


def test_a_field_without_a_default_after_one_with_is_refused_as_typing_does() -> None:
    for base in (NamedTuple, typing.NamedTuple):
        with pytest.raises(TypeError):

            class Bad(base):  # type: ignore[valid-type,misc]
                a: int = 1
                b: int


def test_riskmon_s_named_tuples_are_built_by_it() -> None:
    assert Reach._fields == ("position", "direct", "cut", "fraction")
    assert Read(None, False) == (None, False, None, None, ())
    assert Read(None, False).problems == ()


def test_decorators_only_inform_the_checker() -> None:
    @dataclass_transform(frozen_default=True)
    def deco(cls: type) -> type:
        return cls

    @overload
    def f(x: int) -> int: ...

    @overload
    def f(x: str) -> str: ...

    def f(x: int | str) -> int | str:
        return x

    assert deco(int) is int
    assert f(2) == 2 and f("a") == "a"
