"""Typing names the type checker reads and the running program does without.

`typing` is ~5 ms of a cached `riskmon check`, about 5% of it, and nothing else such a check
imports needs it. So the modules on that path import
`TYPE_CHECKING` from here and keep annotation-only imports of `typing` under
`if TYPE_CHECKING:` (mypy treats every name `TYPE_CHECKING` as true, Python sees False). The few
names used at run time get typing's meaning for the checker and a light one at run time:
`overload` and `dataclass_transform` only inform the checker; `NamedTuple` is the same class
syntax, built on `collections.namedtuple` as typing's is. tests/test_hints.py holds them to it.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any
    from typing import NamedTuple as NamedTuple
    from typing import dataclass_transform as dataclass_transform
    from typing import overload as overload
else:
    from collections import namedtuple

    def overload(func: Callable[..., Any]) -> Callable[..., Any]:
        """The checker's overload; at run time the last definition (the implementation) wins."""
        return func

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda obj: obj

    _NAMESPACE_ONLY = frozenset({"__annotations__", "__module__", "__qualname__", "__orig_bases__", "__dict__"})

    class _NamedTupleMeta(type):
        def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> Any:
            if not bases:  # NamedTuple itself
                return super().__new__(mcls, name, bases, namespace)
            annotations = namespace.get("__annotations__", {})
            fields = list(annotations)
            defaults = [namespace[f] for f in fields if f in namespace]
            if any(f not in namespace for f in fields[len(fields) - len(defaults) :]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            cls = namedtuple(name, fields, defaults=defaults, module=namespace.get("__module__"))
            cls.__annotations__ = dict(annotations)
            for key, value in namespace.items():  # the docstring, methods and properties
                if key not in fields and key not in _NAMESPACE_ONLY:
                    setattr(cls, key, value)
            cls.__qualname__ = namespace.get("__qualname__", name)
            return cls

    class NamedTuple(metaclass=_NamedTupleMeta):
        """`class Point(NamedTuple): x: int; y: int = 0` makes a collections.namedtuple."""
