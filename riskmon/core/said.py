"""English text that keeps what it was made of: a template and the values filled into it.

The core speaks English and never translates (it imports no riskmon.i18n). A fact a playbook rule
matched on ("probability 90% >= 50%") is shown in JSON, logs and the English CLI as the plain text
it is, and in another language by a presenter that translates the template and fills in the same
values, without reading the English back (riskmon.present.words.fact)."""

from __future__ import annotations

from riskmon.core.hints import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


class Said(str):
    """A str equal to `template` filled with `values`; it pickles, compares, hashes and serialises
    as that str, and carries `template` and `values` for a translation."""

    template: str
    values: dict[str, str]

    def __new__(cls, template: str, /, **values: object) -> Said:
        texts = {name: str(value) for name, value in values.items()}
        self = super().__new__(cls, template.format(**texts))
        self.template = template
        self.values = texts
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_said, (self.template, self.values))


def _said(template: str, values: dict[str, str]) -> Said:
    return Said(template, **values)
