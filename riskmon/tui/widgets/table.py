"""A DataTable that sorts by its own data (not by cell text), keeps the cursor on the same row
across refreshes, and moves with j/k. Cells are always rich Text: a str cell would be parsed
as markup, and titles come from feeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click, Resize
from textual.widgets import DataTable

from riskmon.i18n import N_, _
from riskmon.tui.viewdata import AS_GIVEN, Column, Sort, next_column, sort_values

JK_BINDINGS: list[BindingType] = [
    Binding("j", "cursor_down", N_("Down"), show=False),
    Binding("k", "cursor_up", N_("Up"), show=False),
]
"""j/k move like the arrows, in every list and table of the app."""


class TextTable(DataTable[Text]):
    """A DataTable of rich Text cells that moves with j/k."""

    BINDINGS: ClassVar[list[BindingType]] = JK_BINDINGS


def fit_columns(
    keys: Sequence[str], widths: Mapping[str, int], drop_order: Sequence[str], width: int
) -> frozenset[str]:
    """The columns that fit in `width`: all of `keys`, less those of `drop_order` one by one until
    the rest fit (each column needs its width and 1 cell of padding each side; 2 for the scrollbar)."""
    shown = list(keys)
    for drop in (None, *drop_order):
        if drop is not None and drop in shown:
            shown.remove(drop)
        if sum(widths.get(k, 0) + 2 for k in shown) + 2 <= width:
            break
    return frozenset(shown)


class SortableTable(TextTable):
    """Sorted by its own data: `s` moves to the next sortable column shown, `S` reverses, a click on
    a header sorts by that column (again: reversed). Unsortable columns are skipped by `s`, and a
    click on their header does nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort_next", N_("Sort")),
        Binding("S", "sort_reverse", N_("Reverse"), show=False),
    ]

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    COMPACT: ClassVar[frozenset[str] | None] = None
    """Keys of the columns kept on a narrow screen (None: all)."""
    DEFAULT_SORT: ClassVar[str] = ""
    FALLBACK_SORTS: ClassVar[tuple[str, ...]] = ()
    """Sorts to use, in order, when DEFAULT_SORT's column is not shown (before the first shown)."""
    WIDTHS: ClassVar[Mapping[str, int]] = {}
    DROP_ORDER: ClassVar[tuple[str, ...]] = ()
    """With DROP_ORDER the table picks its columns by its own width (`fit_columns`), so that no
    column is cut off while room stays empty; else by `compact` (COMPACT)."""

    def __init__(
        self,
        columns: tuple[Column, ...] | None = None,
        *,
        default_sort: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.spec: tuple[Column, ...] = columns if columns is not None else self.COLUMNS
        """The columns this table can show (a subclass's COLUMNS unless given)."""
        first = self.DEFAULT_SORT or self.spec[0].key
        self.sort_state = Sort.default_for(first if default_sort is None else default_sort)
        self.compact = False
        self._rows: list[tuple[str, Mapping[str, Text]]] = []
        self.fit = frozenset(c.key for c in self.spec)
        """The columns shown at the table's width (with DROP_ORDER)."""

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        if self.DROP_ORDER:
            return tuple(c for c in self.spec if c.key in self.fit)
        if self.compact and self.COMPACT is not None:
            return tuple(c for c in self.spec if c.key in self.COMPACT)
        return self.spec

    def on_mount(self) -> None:
        if not self.columns:  # rows handed over before the mount added them already
            self._add_columns()

    def _add_columns(self) -> None:
        for col in self.shown_columns:
            self.add_column(self._label(col), key=col.key)

    def set_compact(self, compact: bool) -> None:
        """Fewer columns on a narrow screen; the rows are rebuilt."""
        if compact != self.compact:
            self.compact = compact
            self.columns_changed()

    def on_resize(self, event: Resize) -> None:
        if not self.DROP_ORDER:
            return
        fit = fit_columns([c.key for c in self.spec], self.WIDTHS, self.DROP_ORDER, event.size.width)
        if fit != self.fit:
            self.fit = fit
            self.columns_changed()

    def columns_changed(self) -> None:
        """The columns shown changed: header and rows again, the cursor on the same row; a sort
        by a column no longer shown moves to one that is (the arrow must be on screen, or the
        order looks random)."""
        keep = self.current_key
        shown = [c.key for c in self.shown_columns]
        if self.sort_state.key not in shown and self.sort_state.key != AS_GIVEN:
            sortable = [c.key for c in self.shown_columns if c.sortable and c.label]
            wanted = [k for k in (self.DEFAULT_SORT, *self.FALLBACK_SORTS) if k in shown]
            self.sort_state = Sort.default_for((wanted or sortable or shown)[0])
        self.clear(columns=True)
        self._add_columns()
        self.rebuild()
        if keep is not None:
            self.replace_rows(self._rows, keep)

    def _label(self, col: Column) -> Text:
        """The header: a sortable column keeps room for its arrow (a column is as wide as its
        first label, so an arrow added later would be cut off)."""
        mark = (self.sort_state.arrow(col.key) or " ") if col.sortable else ""
        label = _(col.label) if col.label else ""
        parts = (mark, label) if col.numeric else (label, mark)  # the arrow away from the numbers
        return Text(" ".join(part for part in parts if part), justify="right" if col.numeric else "left")

    def _relabel(self) -> None:
        for col in self.shown_columns:
            column = self.columns.get(col.key)  # type: ignore[call-overload]
            if column is not None:
                column.label = self._label(col)
        self.refresh()

    # -- sorting ------------------------------------------------------------------------------

    def sortable(self, key: str) -> bool:
        """Whether `key` is a column this table sorts by (a header click can name any column)."""
        return any(c.key == key and c.sortable for c in self.spec)

    def _sort(self, sort: Sort) -> None:
        self.sort_state = sort
        self._relabel()
        self.rebuild()

    def sort_by(self, key: str) -> None:
        """Sort by column `key` (the sorted one: reversed); unsortable or unknown keys do nothing."""
        if self.sortable(key):
            self._sort(self.sort_state.toggled(key))

    def action_sort_next(self) -> None:
        self._sort(Sort.default_for(next_column(self.shown_columns, self.sort_state.key)))

    def action_sort_reverse(self) -> None:
        self._sort(self.sort_state.toggled(self.sort_state.key))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def on_click(self, event: Click) -> None:
        """DataTable reports a click on the blank header right of the last column as one on the
        first column's header: here it does nothing."""
        meta = event.style.meta
        if meta.get("row") == -1 and meta.get("out_of_bounds"):
            event.prevent_default()

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
        if not self.columns:
            self._add_columns()
        columns = self.shown_columns
        for key, cells in rows:
            self.add_row(*(cells.get(c.key, Text("")) for c in columns), key=key)
        if keep is not None:
            keys = [k for k, _ in rows]
            if keep in keys:
                self.move_cursor(row=keys.index(keep), animate=False, scroll=True)


@dataclass(frozen=True)
class ListRow:
    """One row of a ListTable: its cells and the values its number and time columns sort by
    (None: last). A column without a value sorts by its text, ignoring case (empty: last)."""

    key: str
    cells: Mapping[str, Text]
    values: Mapping[str, Any] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        if key in self.values:
            return self.values[key]
        cell = self.cells.get(key)
        return (cell.plain.casefold() or None) if cell is not None else None


class ListTable(SortableTable):
    """A sortable table of rows handed over whole: each column sorts by the value a row gives it.
    Until a column is chosen the rows keep the order they came in (viewdata.AS_GIVEN)."""

    def __init__(self, columns: tuple[Column, ...], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(columns, default_sort=AS_GIVEN, id=id, classes=classes)
        self.given: list[ListRow] = []

    def show(self, rows: Sequence[ListRow]) -> None:
        self.given = list(rows)
        self.rebuild()

    def rebuild(self) -> None:
        key = self.sort_state.key
        ordered = sort_values(self.given, lambda r: r.value(key), self.sort_state)
        self.replace_rows([(r.key, r.cells) for r in ordered])
