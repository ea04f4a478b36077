"""`@record`: the core's value types, as cheap to build as plain classes.

A drop-in for the part of `dataclasses` riskmon uses, made for `riskmon check`'s cold start. A
stdlib dataclass costs its module `import inspect` (and ast, dis, ...: 15-28 ms) and each class
six `exec` calls (__init__, __repr__, __eq__, __hash__, __setattr__, __delattr__: ~1 ms a frozen
class, ~60 ms for the classes a check builds). Here only __init__ is generated code (so building
many instances costs what it does with a dataclass), compiled once a class has built a few
instances through a generic __init__: most classes a check uses build a handful or none (the
cached config is unpickled). Equality, hashing, repr and immutability are shared functions over
the class's field names.

Same semantics as `dataclasses` for what riskmon uses: fields from annotations in MRO order
(`ClassVar` skipped), defaults and `field(default_factory=...)`, `init/repr/compare=False`,
`__post_init__`, frozen (the default, like `frozen_default` tells type checkers) or not, slots,
`__match_args__`, equality only between instances of the same class, the hash of the compared
fields, the dataclass repr, pickle/copy (frozen slotted ones too), and methods a class defines
itself are kept. `typing.dataclass_transform` makes mypy check constructors and immutability.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from riskmon.core.hints import TYPE_CHECKING, dataclass_transform, overload

if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")
_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "MISSING"})()
_FIELDS = "__record_fields__"


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a frozen record (like dataclasses.FrozenInstanceError)."""


class Field:
    """One field of a record: its name and what `field()` said about it."""

    __slots__ = ("compare", "default", "default_factory", "init", "name", "repr")

    def __init__(self, default: Any, default_factory: Any, init: bool, repr: bool, compare: bool) -> None:
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"


@overload
def field(*, default: T, init: bool = True, repr: bool = True, compare: bool = True) -> T: ...
@overload
def field(*, default_factory: Callable[[], T], init: bool = True, repr: bool = True, compare: bool = True) -> T: ...
@overload
def field(*, init: bool = True, repr: bool = True, compare: bool = True) -> Any: ...
def field(
    *,
    default: Any = _MISSING,
    default_factory: Any = _MISSING,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """A field's default, default factory, and whether __init__, repr and ==/hash include it."""
    return Field(default, default_factory, init, repr, compare)


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, frozen: bool = True, slots: bool = False, eq: bool = True) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: Any = None, /, *, frozen: bool = True, slots: bool = False, eq: bool = True) -> Any:
    """Make `cls` a record: `@record`, or `@record(frozen=False, slots=True, eq=False)`."""

    def wrap(c: type[T]) -> type[T]:
        return _build(c, frozen, slots, eq)

    return wrap if cls is None else wrap(cls)


def is_record(obj: Any) -> bool:
    """Whether `obj` is a record class or an instance of one."""
    return hasattr(obj if isinstance(obj, type) else type(obj), _FIELDS)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    try:
        return tuple(getattr(obj, _FIELDS).values())
    except AttributeError:
        raise TypeError("fields() must be called on a record or a record class") from None


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record `obj` with `changes`, built through __init__ (so __post_init__ runs)."""
    for f in fields(obj):
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False, it cannot be specified with replace()")
        elif f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def asdict(obj: Any) -> Any:
    """A record as a dict of its fields, recursing into records, lists, tuples and dicts."""
    if is_record(obj) and not isinstance(obj, type):
        return {f.name: asdict(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, list | tuple):
        return type(obj)(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return {asdict(k): asdict(v) for k, v in obj.items()}
    return obj


def _build(cls: type[T], frozen: bool, slots: bool, eq: bool) -> type[T]:
    found = _collect(cls)
    own = cls.__dict__
    for f in found.values():
        if f.name in own:
            # Like dataclasses: a plain default stays a class attribute, a field() spec does not.
            if f.default is _MISSING or slots:
                delattr(cls, f.name)
            else:
                setattr(cls, f.name, f.default)
    if slots:
        cls = _with_slots(cls, found)
    setattr(cls, _FIELDS, found)
    names = tuple(found)
    _add(cls, "__init__", _lazy_init(cls, frozen))
    _add(cls, "__repr__", _repr(cls.__qualname__, tuple(n for n, f in found.items() if f.repr)))
    _add(cls, "__match_args__", tuple(n for n, f in found.items() if f.init))
    if eq:
        _add_eq_hash(cls, tuple(n for n, f in found.items() if f.compare), frozen)
    if frozen:
        _add(cls, "__setattr__", _frozen(cls, names, "assign to"))
        _add(cls, "__delattr__", _frozen(cls, names, "delete"))
        if slots:
            _add(cls, "__getstate__", _getstate(names))
            _add(cls, "__setstate__", _setstate(names))
    return cls


def _collect(cls: type) -> dict[str, Field]:
    """Fields of the record bases (in MRO order), then this class's own annotations."""
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(base.__dict__.get(_FIELDS, {}))
    # Not inspect.get_annotations: importing inspect is the cost this module exists to avoid.
    for name, kind in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        if _is_classvar(kind):
            continue
        spec = cls.__dict__.get(name, _MISSING)
        f = spec if isinstance(spec, Field) else Field(spec, _MISSING, True, True, True)
        if f.default is not _MISSING and type(f.default).__hash__ is None:
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
        f.name = name
        found[name] = f
    _check_order(cls, found)
    return found


def _is_classvar(kind: Any) -> bool:
    text = kind if isinstance(kind, str) else getattr(kind, "__qualname__", repr(kind))
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _check_order(cls: type, found: dict[str, Field]) -> None:
    seen_default = False
    for f in found.values():
        if not f.init:
            continue
        if f.default is not _MISSING or f.default_factory is not _MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{cls.__name__}: non-default argument {f.name!r} follows default argument")


def _with_slots(cls: Any, found: dict[str, Field]) -> Any:
    """A new class with `__slots__` for the fields (a class's slots are fixed when it is made)."""
    inherited = {s for base in cls.__mro__[1:-1] for s in base.__dict__.get("__slots__", ())}
    body = dict(cls.__dict__)
    body["__slots__"] = tuple(n for n in found if n not in inherited)
    for name in (*found, "__dict__", "__weakref__"):
        body.pop(name, None)
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


def _add(cls: type, name: str, value: Any) -> None:
    """Set a generated method unless the class body defines its own."""
    if name not in cls.__dict__:
        setattr(cls, name, value)


COMPILE_AFTER = 64
"""Instances a class builds through the generic __init__ before it compiles its own: a class built
a few times (every one, in a check on the demo: at most 32) never pays for an exec; one built in
bulk gets fast code. Measured (10 fields): the generic call ~6.4 us, the compiled ~2.4 us, the
compile ~380 us, so compiling pays from ~95 calls; at 8, a demo check compiled 10 classes for
nothing (~3 ms)."""


def _lazy_init(cls: type, frozen: bool) -> Callable[..., None]:
    """The generic __init__ for the first COMPILE_AFTER calls; then the compiled one, in its place."""
    calls = 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls <= COMPILE_AFTER:
            _init_generic(cls, frozen, self, args, kwargs)
            return
        real = _compile_init(cls, frozen)
        cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    return __init__


def _init_generic(cls: type, frozen: bool, self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """What the compiled __init__ does, by walking the fields."""
    found: dict[str, Field] = getattr(cls, _FIELDS)
    given = _bind(cls, [n for n, f in found.items() if f.init], args, kwargs)
    put = object.__setattr__ if frozen else setattr
    for f in found.values():
        value = given.get(f.name, _MISSING)
        if value is _MISSING:
            if f.default_factory is not _MISSING:
                value = f.default_factory()
            elif f.default is not _MISSING:
                value = f.default
            elif f.init:
                raise TypeError(f"{cls.__qualname__}.__init__() missing 1 required positional argument: {f.name!r}")
            else:
                continue
        put(self, f.name, value)
    if hasattr(cls, "__post_init__"):
        self.__post_init__()


def _bind(cls: type, params: list[str], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments by parameter name, refused as a Python call would refuse them."""
    name = f"{cls.__qualname__}.__init__()"
    if len(args) > len(params):
        raise TypeError(f"{name} takes {len(params) + 1} positional arguments but {len(args) + 1} were given")
    given = dict(zip(params, args, strict=False))
    for key, value in kwargs.items():
        if key not in params:
            raise TypeError(f"{name} got an unexpected keyword argument {key!r}")
        if key in given:
            raise TypeError(f"{name} got multiple values for argument {key!r}")
        given[key] = value
    return given


def _compile_init(cls: type, frozen: bool) -> Callable[..., None]:
    """The generated __init__: the same code a dataclass's has, so building one costs the same.
    A class built this often is a hot one: its shared __eq__ and __hash__ are replaced by generated
    ones in the same exec, as fast as a dataclass's too (the engine keys caches by records)."""
    env: dict[str, Any] = {"__builtins__": __builtins__, "_MISSING": _MISSING, "_object": object}
    source = _init_source(cls, frozen, env)
    generic = [n for n in ("__eq__", "__hash__") if getattr(cls.__dict__.get(n), "shared", False)]
    if generic:
        source += _eq_hash_source([n for n, f in getattr(cls, _FIELDS).items() if f.compare])
    exec(source, env)
    for name in generic:
        env[name].__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, env[name])
    init: Callable[..., None] = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _init_source(cls: type, frozen: bool, env: dict[str, Any]) -> str:
    params, body = [], []
    for f in getattr(cls, _FIELDS).values():
        value = f.name
        if f.default_factory is not _MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            if f.init:
                params.append(f"{f.name}=_MISSING")
                value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}"
            else:
                value = f"_factory_{f.name}()"
        elif f.default is not _MISSING:
            env[f"_default_{f.name}"] = f.default
            if f.init:
                params.append(f"{f.name}=_default_{f.name}")
            else:
                value = f"_default_{f.name}"
        elif f.init:
            params.append(f.name)
        else:
            continue
        body.append(f"_object.__setattr__(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    return f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(body) or "pass") + "\n"


def _eq_hash_source(names: list[str]) -> str:
    mine = "".join(f"self.{n}," for n in names)
    theirs = "".join(f"other.{n}," for n in names)
    return (
        "def __eq__(self, other):\n"
        "    if other.__class__ is self.__class__:\n"
        f"        return ({mine}) == ({theirs})\n"
        "    return NotImplemented\n"
        "def __hash__(self):\n"
        f"    return hash(({mine}))\n"
    )


def _repr(qualname: str, names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

    __repr__.__qualname__ = f"{qualname}.__repr__"
    return __repr__


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of an instance's compared fields (attrgetter gives a bare value for one name)."""
    if not names:
        return lambda self: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return attrgetter(*names)


def _add_eq_hash(cls: type, names: tuple[str, ...], frozen: bool) -> None:
    key = _key(names)

    def __eq__(self: Any, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(key(self))

    __eq__.shared = __hash__.shared = True  # type: ignore[attr-defined]  # compiled over when hot

    own = cls.__dict__
    # A class body that defines __eq__ gets __hash__ = None from Python: that is not its own hash.
    own_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    _add(cls, "__eq__", __eq__)
    if not own_hash:
        # As dataclasses: frozen and compared -> hashed by value; mutable and compared -> unhashable.
        setattr(cls, "__hash__", __hash__ if frozen else None)  # noqa: B010


def _frozen(cls: Any, names: tuple[str, ...], verb: str) -> Callable[..., None]:
    def refuse(self: Any, name: str, *value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot {verb} field {name!r}")
        if value:
            super(cls, self).__setattr__(name, *value)
        else:
            super(cls, self).__delattr__(name)

    return refuse


def _getstate(names: tuple[str, ...]) -> Callable[[Any], list[Any]]:
    """Pickle/copy state of a frozen slotted record: its field values (the same as dataclasses')."""
    get = attrgetter(*names) if names else (lambda self: ())

    def __getstate__(self: Any) -> list[Any]:
        values = get(self)
        return list(values) if len(names) != 1 else [values]

    return __getstate__


def _setstate(names: tuple[str, ...]) -> Callable[[Any, list[Any]], None]:
    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    return __setstate__
