"""Pickers that search as you type, so no form loads a whole table into a dropdown."""

from typing import Any

from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from sqlalchemy import or_

from welcome.extensions import db

MAX_RESULTS = 30
MAX_OFFSET = 1_000
MAX_TERM = 100


class SearchLoader(QueryAjaxModelLoader):
    """A Select2 lookup with bounded paging, word-by-word matching and id checks.

    :param fields: columns matched against the typed words; every word must match one of them.
    :param order_by: columns to sort the results by.
    :param where: optional callable returning extra criteria (e.g. only active partners).
    """

    def __init__(self, name: str, model: type, fields: list[Any], order_by: list[Any],
                 where: Any = None, placeholder: Any = None) -> None:
        super().__init__(
            name, db, model, fields=fields, placeholder=placeholder, minimum_input_length=1
        )
        self.sort = order_by
        self.where = where

    def get_one(self, pk: Any) -> Any:
        """The record behind a submitted id. ``where`` narrows only what the search offers: a
        record that already names a partner deactivated since stays editable, and services
        decide whether a new link to it is allowed."""
        try:
            key = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < key < 2**31:
            return None
        return self.get_query().filter(self.model.id == key).first()

    def get_list(self, term: str, offset: int = 0, limit: int = 10) -> Any:
        offset = min(max(offset or 0, 0), MAX_OFFSET)
        limit = min(max(limit or 10, 1), MAX_RESULTS)
        query = self.get_query()
        if self.where is not None:
            query = query.filter(*self.where())
        for word in (term or "")[:MAX_TERM].split():
            pattern = "%" + word.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
            query = query.filter(
                or_(*(field.ilike(pattern, escape="\\") for field in self._cached_fields))
            )
        return query.order_by(*self.sort).offset(offset).limit(limit).all()
