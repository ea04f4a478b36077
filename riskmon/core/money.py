"""Money as text: one spelling everywhere (`$12,345`, `EUR 12,345`).

In the core because the playbooks fill their step texts with amounts (`{stock}`) and the core may
not import a presenter; riskmon.present.text shows money with this same function.
"""

from __future__ import annotations

import math


def money(x: float, currency: str) -> str:
    if not math.isfinite(x):  # validation bounds amounts, so this is a bug's number: show none
        return "n/a"
    sign = "-" if x < 0 else ""
    if currency == "USD":
        return f"{sign}${abs(x):,.0f}"
    return f"{sign}{currency} {abs(x):,.0f}"
