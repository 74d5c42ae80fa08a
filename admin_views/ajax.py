"""Pickers that search as you type, so no form loads a whole table into a dropdown."""

from collections.abc import Callable
from typing import Any

from flask import has_request_context, request
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader

from admin_views.base import INT_MAX
from admin_views.search import search_criterion
from welcome.extensions import db

MAX_RESULTS = 30
MAX_OFFSET = 1_000


class SearchLoader(QueryAjaxModelLoader):
    """A Select2 lookup with bounded paging, word-by-word matching and id checks.

    Every typed word must match one of the columns, those of related records (a case's main
    person, say) included; each table is searched through its own indexes
    (``admin_views.search``).

    :param fields: columns of ``model`` matched against the typed words.
    :param order_by: columns to sort the results by.
    :param related: ``{relationship: [columns of the related model]}`` matched as well.
    :param load: loader options for what an option's label shows, so listing the options
        needs no statement per option.
    :param label: the text of an option (default: the record's ``str``).
    :param scope: ``(argument, column)``: when the lookup URL carries ``argument`` (the form
        sends the value of its field of that name), only records whose ``column`` equals it.
    :param where: optional callable returning extra criteria for what the search offers (e.g.
        only active partners); a submitted id is resolved without them.
    """

    def __init__(self, name: str, model: type, fields: list[Any], order_by: list[Any],
                 where: Any = None, placeholder: Any = None,
                 related: dict[Any, list[Any]] | None = None, load: tuple[Any, ...] = (),
                 label: Callable[[Any], str] | None = None,
                 scope: tuple[str, Any] | None = None) -> None:
        super().__init__(
            name, db, model, fields=fields, placeholder=placeholder, minimum_input_length=1
        )
        self.sort = order_by
        self.where = where
        self.related = related or {}
        self.load = load
        self.label = label or str
        self.scope = scope

    def format(self, model: Any) -> Any:
        if not model:
            return None
        return model.id, self.label(model)

    def get_one(self, pk: Any) -> Any:
        """The record behind a submitted id. ``where`` narrows only what the search offers: a
        record that already names a partner deactivated since stays editable, and services
        decide whether a new link to it is allowed."""
        try:
            key = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < key <= INT_MAX:
            return None
        return self.get_query().options(*self.load).filter(self.model.id == key).first()

    def get_list(self, term: str, offset: int = 0, limit: int = 10) -> Any:
        offset = min(max(offset or 0, 0), MAX_OFFSET)
        limit = min(max(limit or 10, 1), MAX_RESULTS)
        query = self.get_query().options(*self.load)
        if self.where is not None:
            query = query.filter(*self.where())
        if self.scope is not None and has_request_context():
            argument, column = self.scope
            value = request.args.get(argument, type=int)
            if value is not None and 0 < value <= INT_MAX:
                query = query.filter(column == value)
        criterion = search_criterion(self.model, {
            (): self._cached_fields,
            **{(relation,): fields for relation, fields in self.related.items()},
        }, term)
        if criterion is not None:
            query = query.filter(criterion)
        return query.order_by(*self.sort).offset(offset).limit(limit).all()
