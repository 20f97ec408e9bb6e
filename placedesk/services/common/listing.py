"""Paged, sorted, filtered lists of records, for tables that must open instantly.

A :class:`ListSpec` names the columns of a list as SQL expressions; the UI asks
for a count and then for pages as the officer scrolls, so a directory of
thousands of providers opens without loading them all. Sorting and filtering
happen in SQL, never on rows already fetched.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Column:
    """One column of a list: its key, heading, SQL expression and how to show it."""

    key: str
    title: str
    expr: ColumnElement[Any]
    # "text", "int", "date", "money", "enum", "bool", "initials": how the UI formats the value.
    kind: str = "text"
    sortable: bool = True


@dataclass(frozen=True)
class ListSpec:
    """A list's id column, visible columns, base query and searchable expressions."""

    name: str
    id_expr: ColumnElement[Any]
    columns: Sequence[Column]
    # A select of nothing but FROM/JOINs/WHEREs; columns are added by the functions below.
    base: Callable[[], Select[Any]]
    search: Sequence[ColumnElement[Any]] = ()
    default_sort: str | None = None
    default_descending: bool = False
    # Filter key -> function(value) giving a WHERE clause.
    filters: dict[str, Callable[[Any], ColumnElement[bool]]] = field(default_factory=dict)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


@dataclass(frozen=True)
class ListRequest:
    """What the officer asked to see: search text, filters and sort order."""

    text: str = ""
    filters: tuple[tuple[str, Any], ...] = ()
    sort_key: str | None = None
    descending: bool = False

    def with_filter(self, key: str, value: Any) -> "ListRequest":
        kept = tuple((k, v) for k, v in self.filters if k != key)
        if value is not None and value != "":
            kept += ((key, value),)
        return ListRequest(self.text, kept, self.sort_key, self.descending)


def _where(spec: ListSpec, request: ListRequest, query: Select[Any]) -> Select[Any]:
    text = request.text.strip()
    if text and spec.search:
        for word in text.split():
            pattern = f"%{word}%"
            query = query.where(or_(*(expr.ilike(pattern) for expr in spec.search)))
    for key, value in request.filters:
        query = query.where(spec.filters[key](value))
    return query


def count_rows(session: Session, spec: ListSpec, request: ListRequest) -> int:
    """How many records match the request."""
    query = _where(spec, request, spec.base().with_only_columns(func.count(spec.id_expr.distinct())))
    return int(session.execute(query).scalar_one())


def fetch_page(session: Session, spec: ListSpec, request: ListRequest, offset: int, limit: int) -> list[tuple[Any, ...]]:
    """Rows ``offset`` to ``offset + limit``: the id first, then each column's value."""
    query = _where(spec, request, spec.base().with_only_columns(spec.id_expr, *(c.expr for c in spec.columns)))
    sort_key = request.sort_key or spec.default_sort
    descending = request.descending if request.sort_key else spec.default_descending
    if sort_key:
        expr = spec.column(sort_key).expr
        query = query.order_by(expr.desc() if descending else expr.asc())
    # A stable tie-break so paging never repeats or skips a row.
    query = query.order_by(spec.id_expr).offset(offset).limit(limit)
    return [tuple(row) for row in session.execute(query)]


def plain_value(value: Any) -> Any:
    """Enum members as their values, for comparisons in tests and exports."""
    return value.value if isinstance(value, enum.Enum) else value
