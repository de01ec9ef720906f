"""Compile a queryset once per shape; run it again with other values, without recompiling.

Building and compiling a Django queryset (cloning filters, resolving joins, writing SQL) costs
about a millisecond of CPU, more than PostgreSQL needs to run a small indexed query. The 8am
rush runs the same few queries (the token, the free-slot search, the slot being booked)
thousands of times with different values, so that compile was a large share of every request
(docs/benchmark.md). ``PreparedQuery`` keeps the queryset as the one definition of the query
and only skips recompiling it:

- the first call for a *shape* (which values are present, and the ``shape`` arguments that
  change the query's structure, such as a channel) builds the queryset with stand-in values
  (sentinels), compiles it once and records which SQL parameter each stand-in became;
- later calls substitute the real values into the cached SQL.

``instances()`` then turns rows into model instances exactly as ``QuerySet.__iter__`` does
(``Model.from_db``, ``select_related`` populators, annotations), ``rows()`` returns tuples, and
``sql()`` gives the statement to wrap in a larger one. A value the ORM would write into the
SQL text instead of a parameter cannot be prepared: the compile refuses it, so a mistake
shows on the first call (and in the tests), never as a wrong answer.

PostgreSQL spends as long *planning* a search with its joins and partial indexes as running
it. ``fast_cursor()`` therefore binds parameters on the server: psycopg then prepares each
statement once per connection (``DATABASES["default"]["OPTIONS"]["prepare_threshold"]``,
settings ``DATABASE_PREPARED_STATEMENTS``), and PostgreSQL reuses its plan. Django's own
cursors bind on the client and are never prepared; only the statements run here are.

Off PostgreSQL (the SQLite demo) the queryset is compiled with the real values on every
call, and ``fast_cursor`` is an ordinary cursor. ADR 0042 has the whole story.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

_EPOCH = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)


def _sentinel(kind: type, index: int) -> Any:
    """A stand-in no real value equals: far-off ids, moments in 1901, marked strings."""
    if kind is int:
        return -(10**15) - index
    if kind is datetime.datetime:
        return _EPOCH + datetime.timedelta(seconds=index + 1, microseconds=7)
    if kind is datetime.date:
        return datetime.date(1901, 1, 1) + datetime.timedelta(days=index + 1)
    if kind is str:
        return f"\x1eprepared-{index}\x1e"
    raise TypeError(f"PreparedQuery cannot stand in for a {kind.__name__} value")


_BIGINT = range(-(2**63), 2**63)


def _out_of_range(values: Mapping[str, Any]) -> bool:
    """A whole number no database column can hold: the ORM answers "no rows" for it
    (EmptyResultSet) rather than sending it, and so does this module."""
    return any(
        isinstance(v, int) and not isinstance(v, bool) and v not in _BIGINT
        for v in values.values()
    )


def _kind(value: Any) -> type | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a bool changes the query's structure: pass it as a shape argument")
    for kind in (datetime.datetime, datetime.date, int, str):  # datetime before date
        if isinstance(value, kind):
            return kind
    raise TypeError(f"PreparedQuery cannot stand in for a {type(value).__name__} value")


class _LoggedCursor(CursorDebugWrapper):
    """What ``connection.queries`` (and the query-count tests) record for a server-binding
    cursor: the statement with its values written in, as for Django's own cursors. (Django
    reads it back from the cursor, which has none for a prepared statement.)"""

    def debug_sql(
        self,
        sql: str | None = None,
        params: Any = None,
        use_last_executed_query: bool = False,
        many: bool = False,
    ) -> Any:
        if use_last_executed_query and sql is not None and not many:
            with contextlib.suppress(Exception):  # only the log's text is at stake
                sql = self.db.ops.compose_sql(sql, params)
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)


@contextmanager
def fast_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """A Django cursor (queries logged and counted, errors wrapped, same transaction) whose
    parameters PostgreSQL binds, so that psycopg can prepare the statement. Elsewhere (the
    SQLite demo) an ordinary cursor."""
    wrapper = connections[using]
    if not on_postgres(using):
        with wrapper.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    # As Django's own cursor() does: a kept connection the server dropped (a restart) is
    # replaced here rather than failing the request (CONN_HEALTH_CHECKS).
    wrapper.close_if_health_check_failed()
    wrapper.ensure_connection()
    wrapper.validate_thread_sharing()
    with wrapper.wrap_database_errors:
        raw = ServerBindingCursor(wrapper.connection)  # type: ignore[call-arg]
    cursor = (
        _LoggedCursor(raw, wrapper)
        if wrapper.queries_logged
        else wrapper.make_cursor(raw)  # type: ignore[arg-type]
    )
    try:
        yield cursor
    finally:
        cursor.close()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each SQL parameter: the name of the value to put there, or None and a constant.
    slots: tuple[tuple[str | None, Any], ...]
    using: str
    # What ModelIterable needs to build instances (None for values()/values_list() shapes).
    init_list: list[str] | None
    model_range: tuple[int, int] | None
    model: type[Model] | None
    populators: list[Any]
    annotations: dict[str, int]
    converters: dict[int, Any]


class PreparedQuery(Generic[M]):
    """``build(**shape, **values)`` returns the queryset; values may be int, str, date,
    datetime or None (None usually means "no such filter", and is part of the shape)."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def _get(self, shape: Mapping[str, Hashable], values: Mapping[str, Any]) -> _Compiled:
        if not on_postgres():
            # The SQLite demo: Django turns values into other types there (datetimes into
            # text), so no stand-in can be traced; compile with the real values each time.
            return self._compile(shape, values, stand_ins=dict(values))
        key = (
            tuple(sorted(shape.items())),
            tuple(sorted((name, _kind(value)) for name, value in values.items())),
        )
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(shape, values)
                self._compiled[key] = compiled
        return compiled

    def _compile(
        self,
        shape: Mapping[str, Hashable],
        values: Mapping[str, Any],
        stand_ins: dict[str, Any] | None = None,
    ) -> _Compiled:
        """Compile with stand-ins and trace them to parameters; with ``stand_ins`` given
        (the real values), every parameter is a constant of this one statement."""
        traced = stand_ins is None
        if stand_ins is None:
            stand_ins = {}
            for index, (name, value) in enumerate(sorted(values.items())):
                kind = _kind(value)
                stand_ins[name] = None if kind is None else _sentinel(kind, index)
        queryset = self._build(**shape, **stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        by_value = (
            {(type(v), v): name for name, v in stand_ins.items() if v is not None}
            if traced
            else {}
        )
        slots: list[tuple[str | None, Any]] = []
        for param in params:
            found = by_value.get((type(param), param))
            slots.append((found, None) if found is not None else (None, param))
        used = {name for name, _constant in slots if name is not None}
        missing = set(by_value.values()) - used
        if missing:
            raise ValueError(f"PreparedQuery: {sorted(missing)} did not become SQL parameters")
        for name, stand_in in stand_ins.items():
            if traced and isinstance(stand_in, str) and stand_in in sql:
                raise ValueError(f"PreparedQuery: {name} was written into the SQL text")
        init_list = model_range = model = None
        populators: list[Any] = []
        annotations: dict[str, int] = {}
        klass_info = compiler.klass_info
        if klass_info is not None:  # a model queryset (not values())
            select = compiler.select
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            init_list = [column[0].target.attname for column in select[first:last]]
            model_range, model = (first, last), klass_info["model"]
            # (django-stubs describe Django 6's signature; 5.2 takes these three.)
            populators = get_related_populators(  # type: ignore[call-arg]
                klass_info, select, queryset.db
            )
            annotations = dict(compiler.annotation_col_map or {})
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            slots=tuple(slots),
            using=queryset.db,
            init_list=init_list,
            model_range=model_range,
            model=model,
            populators=populators,
            annotations=annotations,
            converters=compiler.get_converters(fields),
        )

    @staticmethod
    def _params(compiled: _Compiled, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if name is not None else constant
                for name, constant in compiled.slots]

    def sql(self, *, shape: Mapping[str, Hashable] | None = None, **values: Any) -> tuple[
        str, list[Any]
    ]:
        """The statement and its parameters, to run or to wrap in a larger statement.
        Raises ``EmptyResultSet`` for a value that cannot match (a number beyond bigint)."""
        if _out_of_range(values):
            raise EmptyResultSet
        compiled = self._get(shape or {}, values)
        return compiled.sql, self._params(compiled, values)

    def _fetch(self, compiled: _Compiled, params: list[Any], suffix: str = "") -> list[Any]:
        with fast_cursor(compiled.using) as cursor:
            cursor.execute(compiled.sql + suffix, params)
            rows = cursor.fetchall()
        if compiled.converters:
            for_row = list(compiled.converters.items())
            wrapper = connections[compiled.using]
            converted = []
            for row in rows:
                row = list(row)
                for position, (functions, expression) in for_row:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, wrapper)
                    row[position] = value
                converted.append(tuple(row))
            rows = converted
        return rows

    def rows(
        self,
        *,
        shape: Mapping[str, Hashable] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **values: Any,
    ) -> list[Any]:
        """The rows as tuples (for ``values()``/``values_list()`` shapes), converted as the ORM
        converts them; ``limit``/``offset`` page them without a new shape per page."""
        if _out_of_range(values):
            return []
        compiled = self._get(shape or {}, values)
        params = self._params(compiled, values)
        if limit is None:
            return self._fetch(compiled, params)
        return self._fetch(compiled, [*params, limit, offset], " LIMIT %s OFFSET %s")

    def instances(self, *, shape: Mapping[str, Hashable] | None = None, **values: Any) -> list[M]:
        """The rows as model instances with their ``select_related`` objects, as iterating the
        queryset would give them."""
        if _out_of_range(values):
            return []
        compiled = self._get(shape or {}, values)
        if compiled.model is None or compiled.model_range is None or compiled.init_list is None:
            raise TypeError("instances() needs a model queryset, not values()")
        first, last = compiled.model_range
        found: list[M] = []
        for row in self._fetch(compiled, self._params(compiled, values)):
            obj = compiled.model.from_db(compiled.using, compiled.init_list, row[first:last])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)  # type: ignore[arg-type]
        return found

    def first(self, *, shape: Mapping[str, Hashable] | None = None, **values: Any) -> M | None:
        found = self.instances(shape=shape, **values)
        return found[0] if found else None


# Writes ---------------------------------------------------------------------------------------


def _insert_fields(model: type[Model]) -> list[Any]:
    meta = model._meta
    return [
        field
        for field in meta.local_concrete_fields
        if field is not meta.auto_field and not field.generated
    ]


def insert_values(obj: Model) -> dict[str, Any]:
    """Column -> value, as Django's ``save()`` would INSERT ``obj`` (no primary key):
    defaults applied, ``auto_now``/``auto_now_add`` stamped on ``obj``, values prepared for
    the database. For services that write several rows in one statement."""
    return {
        field.column: field.get_db_prep_save(field.pre_save(obj, True), connection)
        for field in _insert_fields(type(obj))
    }


@cache
def typed_placeholders(model: type[Model]) -> dict[str, str]:
    """Column -> ``%s::<type>``: in ``INSERT ... SELECT`` a bare parameter would be typed text."""
    return {
        field.column: f"%s::{field.cast_db_type(connection)}" for field in _insert_fields(model)
    }


def on_postgres(using: str = DEFAULT_DB_ALIAS) -> bool:
    """The hot paths' single statements are PostgreSQL's; the SQLite demo takes the ORM way."""
    return connections[using].vendor == "postgresql"


def insert_many(objs: Sequence[Model], *, ignore_conflicts: bool = False) -> None:
    """``bulk_create(objs, ignore_conflicts=...)`` as one prepared statement: the rows of one
    model, defaults and ``auto_now`` applied as ``save()`` would. Primary keys are not set."""
    if not objs:
        return
    model = type(objs[0])
    if not on_postgres():
        model._default_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    placeholders = typed_placeholders(model)
    row = f"({', '.join(placeholders.values())})"
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(map(quote, placeholders))}) VALUES {', '.join([row] * len(objs))}"
        + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
    )
    params = [value for obj in objs for value in insert_values(obj).values()]
    with fast_cursor() as cursor:
        cursor.execute(sql, params)
