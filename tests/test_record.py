"""`riskmon.core.record` behaves as the stdlib dataclasses it replaces (equality, hash, repr,
replace, pickle and copy, immutability), checked against twin dataclasses on generated values;
and `riskmon check` on a cache hit no longer imports dataclasses or inspect."""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskmon.core.record import COMPILE_AFTER, FrozenInstanceError, field, fields, is_record, record, replace

# Twin classes: the same fields and options, one stdlib dataclass and one record each; named in
# this module, so that pickle finds them.
ANNOTATIONS = {"a": "int", "b": "str", "c": "tuple[int, ...]", "d": "int"}


def twins(name: str, frozen: bool, slots: bool, bases: tuple[Any, Any] = (object, object)) -> tuple[Any, Any]:
    """(dataclass, record) with fields a, b="x", c=factory tuple, d=0 left out of repr and ==; or,
    given `bases`, subclasses of those adding e=0.5."""
    made = []
    for prefix, make, spec, base in (
        ("D", dataclasses.dataclass(frozen=frozen, slots=slots), dataclasses.field, bases[0]),
        ("R", record(frozen=frozen, slots=slots), field, bases[1]),
    ):
        body: dict[str, Any] = {"__module__": __name__, "__qualname__": prefix + name}
        if base is object:
            body |= {"__annotations__": dict(ANNOTATIONS), "b": "x", "c": spec(default_factory=tuple)}
            body["d"] = spec(default=0, compare=False, repr=False)
        else:
            body |= {"__annotations__": {"e": "float"}, "e": 0.5}
        cls = make(type(prefix + name, (base,), body))
        globals()[cls.__qualname__] = cls
        made.append(cls)
    return made[0], made[1]


DFrozen, RFrozen = twins("Frozen", frozen=True, slots=False)
DSlots, RSlots = twins("Slots", frozen=True, slots=True)
DMutable, RMutable = twins("Mutable", frozen=False, slots=False)
DMutableSlots, RMutableSlots = twins("MutableSlots", frozen=False, slots=True)
DChild, RChild = twins("Child", frozen=True, slots=True, bases=(DSlots, RSlots))

TWINS = [(DFrozen, RFrozen), (DSlots, RSlots), (DMutable, RMutable), (DMutableSlots, RMutableSlots)]
FROZEN = {RFrozen, RSlots, RChild}
VALUES = st.tuples(st.integers(), st.text(max_size=5), st.tuples(st.integers(-3, 3)), st.integers(-2, 2))  # a, b, c, d


def state(obj: Any) -> tuple[Any, ...]:
    """Every field's value, the ones left out of == too."""
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))


def record_state(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, f.name) for f in fields(obj))


def args_of(cls: type) -> str:
    """A repr without the class name (the twins' names differ)."""
    return "(" + repr(cls).partition("(")[2]


@given(x=VALUES, y=VALUES)
@pytest.mark.parametrize(("dc", "rc"), [*TWINS, (DChild, RChild)])
def test_equality_hash_and_repr_are_the_dataclasses(dc: Any, rc: Any, x: tuple[Any, ...], y: tuple[Any, ...]) -> None:
    d1, d2, r1, r2 = dc(*x), dc(*y), rc(*x), rc(*y)
    assert (r1 == r2) == (d1 == d2) and (r1 != r2) == (d1 != d2)
    assert args_of(r1) == args_of(d1)
    assert record_state(r1) == state(d1) and [f.name for f in fields(rc)] == [f.name for f in dataclasses.fields(dc)]
    assert rc.__match_args__ == dc.__match_args__
    assert r1 != d1, "a record equals only its own class"
    if rc in FROZEN:
        assert hash(r1) == hash(d1), "the hash of the compared fields, as a dataclass's"
    else:
        with pytest.raises(TypeError):
            hash(r1)


@given(x=VALUES, y=VALUES)
@pytest.mark.parametrize(("dc", "rc"), TWINS)
def test_replace_pickle_and_copy_keep_every_field(dc: Any, rc: Any, x: tuple[Any, ...], y: tuple[Any, ...]) -> None:
    r = rc(*x)
    changed = replace(r, b=y[1], d=y[3])
    assert record_state(changed) == state(dataclasses.replace(dc(*x), b=y[1], d=y[3]))
    assert record_state(r) == x, "replace leaves the original alone"
    for again in (pickle.loads(pickle.dumps(r)), copy.copy(r), copy.deepcopy(r)):
        assert type(again) is rc and again == r and record_state(again) == x


@given(x=VALUES)
@pytest.mark.parametrize("rc", [RFrozen, RSlots, RChild])
def test_a_frozen_record_refuses_assignment_and_deletion(rc: Any, x: tuple[Any, ...]) -> None:
    r = rc(*x)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'a'"):
        r.a = 1
    with pytest.raises(AttributeError):
        del r.b
    with pytest.raises(AttributeError):
        r.other = 1
    assert record_state(r) == (*x, 0.5)[: len(fields(rc))]


def test_mutable_records_assign_and_slots_hold_no_dict() -> None:
    m = RMutableSlots(1)
    m.a = 2
    assert m == RMutableSlots(2) and not hasattr(m, "__dict__") and not hasattr(RSlots(1), "__dict__")
    assert type(RSlots.__dict__["b"]) is type(DSlots.__dict__["b"]), "a slot, not the default, as dataclasses do"
    assert RFrozen.b == DFrozen.b == "x" and "c" not in RFrozen.__dict__

    @record
    class Listed:
        xs: list[int] = field(default_factory=list)

    assert Listed().xs == [] and Listed().xs is not Listed().xs, "a factory's value per instance"


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((1,), {}),
    ((1, "y", (2,), 3), {}),
    ((), {"a": 1, "d": 4}),
    ((1,), {"c": (5,)}),
    ((), {}),
    ((1, "y", (2,), 3, 4), {}),
    ((1,), {"a": 2}),
    ((1,), {"z": 2}),
]


def outcome(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The fields' values, or the kind of error, of one constructor call."""
    try:
        obj = cls(*args, **kwargs)
    except TypeError:
        return TypeError
    return tuple(getattr(obj, n) for n in ANNOTATIONS)


@pytest.mark.parametrize("frozen", [True, False])
def test_the_generic_and_the_compiled_init_build_what_a_dataclass_builds(frozen: bool) -> None:
    """A class's first COMPILE_AFTER instances come from the generic __init__, later ones from
    the compiled one: both bind, default and refuse arguments as the dataclass's __init__."""
    dc, rc = twins(f"Fresh{frozen}", frozen=frozen, slots=True)
    for i in range(COMPILE_AFTER * 2 // len(CALLS) + 1):
        for args, kwargs in CALLS:
            assert outcome(rc, args, kwargs) == outcome(dc, args, kwargs), (i, args, kwargs)
    assert rc.__init__.__qualname__ == f"RFresh{frozen}.__init__", "compiled by now"
    assert rc.__eq__.__qualname__ == f"RFresh{frozen}.__eq__", "== of a hot class compiled too"
    assert (rc(1, "y") == rc(1, "y", d=5)) and rc(1) != rc(2) and rc(1).__eq__(dc(1)) is NotImplemented
    assert (hash(rc(1, "y")) == hash(dc(1, "y"))) if frozen else rc.__hash__ is None


def test_init_false_fields_are_set_by_post_init_and_refused_by_replace() -> None:
    @record
    class Derived:
        a: int
        doubled: int = field(init=False, repr=False, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "doubled", self.a * 2)

    d = Derived(3)
    assert d.doubled == 6 and repr(d).endswith(".<locals>.Derived(a=3)")
    assert replace(d, a=4).doubled == 8
    with pytest.raises(ValueError, match="init=False"):
        replace(d, doubled=1)


def test_a_class_keeps_its_own_methods_and_bad_definitions_fail_as_dataclasses_do() -> None:
    @record
    class Own:
        a: int

        def __repr__(self) -> str:
            return "mine"

    assert repr(Own(1)) == "mine" and Own(1) == Own(1)
    with pytest.raises(ValueError, match="mutable default"):
        record(type("Bad", (), {"__annotations__": {"a": "list[int]"}, "a": []}))
    with pytest.raises(TypeError, match="non-default argument 'b'"):
        record(type("Order", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    with pytest.raises(TypeError, match="fields"):
        fields(DFrozen(1))
    assert is_record(RFrozen) and is_record(RFrozen(1)) and not is_record(DFrozen(1)) and not is_record(1)


def test_a_cache_hit_check_imports_no_dataclasses_nor_inspect(tmp_path: Path) -> None:
    """What the record decorator is for: on the usual cron run (unchanged files) `riskmon check`
    loads neither `dataclasses` nor the `inspect` it imports (with ast, dis, ...)."""
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "c"), "RISKMON_DATA": str(tmp_path / "d")}
    argv = [sys.executable, "-X", "importtime", "-m", "riskmon", "check", "--offline", "--no-history"]
    runs = [subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60) for _ in range(2)]
    assert all(r.returncode in (0, 1, 2) for r in runs), runs[-1].stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in runs[1].stderr.splitlines() if "|" in line}
    assert "riskmon.core.model" in imported and "pydantic" not in imported, "a cache hit"
    assert not imported & {"dataclasses", "inspect", "ast", "dis"}
    assert "hashlib" not in imported  # the cache's checksums are zlib's (~4 ms of OpenSSL saved)
    assert not imported & {"riskmon.core.ranges", "random"}  # only with -w/-c; only for a Monte Carlo
    # The demo's Black Friday recurs: its starts come from the cache with the events (~6 ms).
    assert not imported & {"dateutil", "dateutil.rrule"}
    # Type hints are for the checker (riskmon.core.hints): typing is ~5 ms of a hit.
    assert "typing" not in imported


MUTATIONS = """\
    from riskmon.core.model import Business
    from riskmon.core.record import record

    @record(frozen=False)
    class Counter:
        n: int

    def mutate(b: Business, c: Counter) -> None:
        b.name = "y"
        c.n = 2
        Counter("one")
        Counter()
"""


@pytest.mark.slow
def test_mypy_checks_record_constructors_and_immutability(tmp_path: Path) -> None:
    """`typing.dataclass_transform(frozen_default=True)`: mypy rejects assigning to a frozen
    record and a wrong constructor call, and allows assigning to a mutable one."""
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(MUTATIONS), encoding="utf-8")
    argv = [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", str(snippet)]
    r = subprocess.run(argv, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=300)
    errors = [line.split(":", 2)[1] for line in r.stdout.splitlines() if ": error:" in line]
    assert errors == ["9", "11", "12"], r.stdout
