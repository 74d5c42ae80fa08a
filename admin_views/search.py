"""Substring search over a list's own columns and those of its related records.

Flask-Admin joins the related tables and ORs ``ILIKE '%term%'`` across all their columns; no
index can answer that, so at 200 000 cases a search takes most of a second (DESIGN §6, §9).
Here each table is searched on its own, where a trigram index per column answers on
PostgreSQL: first the related tables (one statement per table, for all words at once), then
the list's own table through its foreign keys, ``main_person_id IN (…)``. With the keys
written into the query, PostgreSQL knows how many rows to expect and combines the indexes
for a rare word, or walks the list's sort order and stops at the page for a common one.
"""

from typing import Any

from sqlalchemy import String, and_, any_, cast, func, or_, select
from sqlalchemy.orm import RelationshipDirection

from welcome.extensions import db

#: Words of a search that count, and characters per word.
MAX_SEARCH_WORDS = 5
MAX_SEARCH_LENGTH = 100
#: Related records written into the query as keys; beyond that a subquery finds them.
MAX_KEYS = 1_000


def like_pattern(word: str) -> str:
    """``%word%`` for LIKE, with the user's own %, _ and backslashes taken literally."""
    word = word[:MAX_SEARCH_LENGTH]
    return "%" + word.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def words(term: str | None) -> list[str]:
    return (term or "").split()[:MAX_SEARCH_WORDS]


def search_criterion(model: type, columns_by_path: dict[tuple[Any, ...], list[Any]],
                     term: str | None) -> Any:
    """The condition "every word of ``term`` occurs in one of the columns", on ``model``.

    :param columns_by_path: columns to search, keyed by the relationship path that leads from
        ``model`` to their table (``()`` for the model's own columns).
    :return: the condition, or None when ``term`` holds no word.
    """
    typed = words(term)
    if not typed:
        return None
    per_word: list[list[Any]] = [[] for _ in typed]
    for path, columns in columns_by_path.items():
        for position, condition in enumerate(_conditions(model, tuple(path), columns, typed)):
            per_word[position].append(condition)
    return and_(*(or_(*conditions) for conditions in per_word))


def _matches(columns: list[Any], word: str) -> Any:
    pattern = like_pattern(word)
    return or_(*(_text(column).ilike(pattern, escape="\\") for column in columns))


def _conditions(model: type, path: tuple[Any, ...], columns: list[Any],
                typed: list[str]) -> list[Any]:
    """One condition on ``model`` per word, for the columns at the end of ``path``."""
    if not path:
        return [_matches(columns, word) for word in typed]
    prop = path[0].property
    if len(path) > 1 or prop.direction is not RelationshipDirection.MANYTOONE \
            or len(prop.local_remote_pairs) != 1:
        joined = select(model.id)
        for relation in path:
            joined = joined.join(relation)
        return [model.id.in_(joined.where(_matches(columns, word))) for word in typed]
    local, remote = prop.local_remote_pairs[0]
    flags = [_matches(columns, word) for word in typed]
    rows = db.session.execute(
        select(remote, *(flag.label(f"word_{n}") for n, flag in enumerate(flags)))
        .where(or_(*flags)).limit(MAX_KEYS + 1)
    ).all()
    if len(rows) <= MAX_KEYS:
        return [local.in_([row[0] for row in rows if row[n + 1]]) for n in range(len(typed))]
    return [_key_in(local, select(remote).where(flag)) for flag in flags]


def _key_in(local: Any, keys: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return local == any_(func.array(keys.scalar_subquery()))
    return local.in_(keys)


def _text(column: Any) -> Any:
    return column if isinstance(column.type, String) else cast(column, String)
