"""A DataTable that sorts by its own data (not by cell text), keeps the cursor on the same row
across refreshes, and moves with j/k. Cells are always rich Text: a str cell would be parsed
as markup, and titles come from feeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from riskmon.tui.viewdata import Column, Sort, next_column

JK_BINDINGS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
]
"""j/k move like the arrows, in every list and table of the app."""


class TextTable(DataTable[Text]):
    """A DataTable of rich Text cells that moves with j/k."""

    BINDINGS: ClassVar[list[BindingType]] = JK_BINDINGS


class SortableTable(TextTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort_next", "Sort"),
        Binding("S", "sort_reverse", "Reverse", show=False),
    ]

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    COMPACT: ClassVar[frozenset[str] | None] = None
    """Keys of the columns kept on a narrow screen (None: all)."""
    DEFAULT_SORT: ClassVar[str] = ""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.sort_state = Sort.default_for(self.DEFAULT_SORT or self.COLUMNS[0].key)
        self.compact = False
        self._rows: list[tuple[str, Mapping[str, Text]]] = []

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        if self.compact and self.COMPACT is not None:
            return tuple(c for c in self.COLUMNS if c.key in self.COMPACT)
        return self.COLUMNS

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for col in self.shown_columns:
            self.add_column(self._label(col), key=col.key)

    def set_compact(self, compact: bool) -> None:
        """Fewer columns on a narrow screen; the rows are rebuilt."""
        if compact == self.compact:
            return
        keep = self.current_key
        self.compact = compact
        self.clear(columns=True)
        self._add_columns()
        self.rebuild()
        if keep is not None:
            self.replace_rows(self._rows, keep)

    def _label(self, col: Column) -> Text:
        arrow = self.sort_state.arrow(col.key)
        return Text(col.label + (" " + arrow if arrow else ""), justify="right" if col.numeric else "left")

    def _relabel(self) -> None:
        for col in self.shown_columns:
            column = self.columns.get(col.key)  # type: ignore[call-overload]
            if column is not None:
                column.label = self._label(col)
        self.refresh()

    # -- sorting ------------------------------------------------------------------------------

    def sort_by(self, key: str) -> None:
        self.sort_state = self.sort_state.toggled(key)
        self._relabel()
        self.rebuild()

    def action_sort_next(self) -> None:
        self.sort_state = Sort.default_for(next_column(self.COLUMNS, self.sort_state.key))
        self._relabel()
        self.rebuild()

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_state.key)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    # -- rows ---------------------------------------------------------------------------------

    def rebuild(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return None if key.value is None else str(key.value)

    def replace_rows(self, rows: Sequence[tuple[str, Mapping[str, Text]]], keep: str | None = None) -> None:
        """Swap in new rows (column key -> cell); the cursor stays on row `keep` if it is still there."""
        keep = keep if keep is not None else self.current_key
        self._rows = list(rows)
        self.clear()
        columns = self.shown_columns
        for key, cells in rows:
            self.add_row(*(cells[c.key] for c in columns), key=key)
        if keep is not None:
            keys = [k for k, _ in rows]
            if keep in keys:
                self.move_cursor(row=keys.index(keep), animate=False, scroll=True)
