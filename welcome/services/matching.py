"""Which partners suit a need: one ranking used by the interview and every other screen.

Ranking rules (documented for staff in the README):

1. Only **active** partners that **serve the need's field of action** are suggested.
2. Points, which add up:

   - language: +3 if the partner offers the person's **preferred language**; otherwise +1 if
     it offers another **language the person speaks** (a partner offering both gets 3, not 4:
     the preferred language already settles how they can talk);
   - place: +2 if it is in the person's **district**; otherwise +1 if it is in a
     **neighbouring district** (``WELCOME_NEIGHBOURING_DISTRICTS``, see
     :func:`neighbouring_districts`);
   - +1 if it **accepts handovers by e-mail** (and has an address).

3. Higher points first; equal points by name. Every suggestion carries the reasons it got.

The person is the household member the need concerns, else the case's main person.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from welcome.models import FieldOfAction, Need, Partner, Person

POINTS_PREFERRED_LANGUAGE = 3
POINTS_OTHER_LANGUAGE = 1
POINTS_DISTRICT = 2
POINTS_NEIGHBOURING_DISTRICT = 1
POINTS_EMAIL = 1

#: District name → the names of its neighbours, all in lower case.
Neighbours = dict[str, set[str]]


@dataclass
class Suggestion:
    partner: Partner
    points: int = 0
    reasons: list[str] = field(default_factory=list)


def suggest_partners(session: Session, need: Need, person: Person | None = None,
                     limit: int | None = 5) -> list[Suggestion]:
    """Partners for ``need``, best first, each with the reasons for its place.

    :param person: whose languages and district count; by default the person the need
        concerns, else the case's main person.
    :param limit: how many to return; None for all of them.
    """
    partners = eligible_partners(session, [need.field_of_action_id])
    ranked = rank_all(partners.get(need.field_of_action_id, {}).values(), need,
                      person or concerned(need), neighbouring_districts())
    return ranked if limit is None else ranked[:limit]


def suggest_for_needs(session: Session, needs: Iterable[Need]) -> dict[int, list[Suggestion]]:
    """Every suitable partner for each of ``needs`` (keyed by need id), best first.

    One query for all the needs together, so a screen listing many needs does not run one
    per need.
    """
    needs = list(needs)
    partners = eligible_partners(session, {need.field_of_action_id for need in needs})
    neighbours = neighbouring_districts()
    return {need.id: rank_all(partners.get(need.field_of_action_id, {}).values(), need,
                              concerned(need), neighbours)
            for need in needs}


def eligible_partners(session: Session,
                      field_ids: Iterable[int]) -> dict[int, dict[int, Partner]]:
    """Active partners serving each field (field id → partner id → partner), in one query."""
    wanted = set(field_ids)
    result: dict[int, dict[int, Partner]] = {field_id: {} for field_id in wanted}
    if not wanted:
        return result
    partners = session.scalars(
        select(Partner)
        .where(Partner.active.is_(True),
               Partner.fields_of_action.any(FieldOfAction.id.in_(wanted)))
        .options(selectinload(Partner.languages), selectinload(Partner.fields_of_action))
    ).all()
    for partner in partners:
        for served in partner.fields_of_action:
            if served.id in wanted:
                result[served.id][partner.id] = partner
    return result


def concerned(need: Need) -> Person:
    """Whose languages and district count for ``need``."""
    return need.person or need.case.main_person


def rank_all(partners: Iterable[Partner], need: Need, person: Person,
             neighbours: Neighbours) -> list[Suggestion]:
    suggestions = [rank(partner, need, person, neighbours) for partner in partners]
    suggestions.sort(key=lambda s: (-s.points, s.partner.name.lower(), s.partner.id))
    return suggestions


def rank(partner: Partner, need: Need, person: Person,
         neighbours: Neighbours | None = None) -> Suggestion:
    """Points and reasons of one partner for one need and person (see the module rules)."""
    if neighbours is None:
        neighbours = neighbouring_districts()
    suggestion = Suggestion(partner, 0, [
        _("offers %(field)s", field=need.field_of_action.label)])
    offered = {language.id for language in partner.languages}
    preferred = person.preferred_language
    if preferred is not None and preferred.id in offered:
        suggestion.points += POINTS_PREFERRED_LANGUAGE
        suggestion.reasons.append(_("speaks %(language)s", language=preferred.label))
    else:
        spoken = [lang for lang in person.languages if lang.id in offered]
        if spoken:
            suggestion.points += POINTS_OTHER_LANGUAGE
            suggestion.reasons.append(_("speaks %(language)s", language=spoken[0].label))
    home, theirs = _district(person.district), _district(partner.district)
    if home and theirs == home:
        suggestion.points += POINTS_DISTRICT
        suggestion.reasons.append(_("in the same district (%(district)s)",
                                    district=person.district.strip()))
    elif home and theirs and theirs in neighbours.get(home, set()):
        suggestion.points += POINTS_NEIGHBOURING_DISTRICT
        suggestion.reasons.append(_("in the neighbouring district %(district)s",
                                    district=partner.district.strip()))
    if partner.accepts_email_handover and partner.email:
        suggestion.points += POINTS_EMAIL
        suggestion.reasons.append(_("takes handovers by e-mail"))
    return suggestion


def _district(name: str | None) -> str:
    return " ".join((name or "").split()).lower()


def neighbouring_districts(setting: str | None = None) -> Neighbours:
    """The neighbour map of ``WELCOME_NEIGHBOURING_DISTRICTS``.

    The setting lists each district with its neighbours, districts separated by ``;``:
    ``"Altstadt: Süd, Weststadt; Nordost: Bahnhofsviertel"``. Neighbourhood works both ways,
    so each pair needs writing down once; case and extra spaces do not matter.
    """
    if setting is None:
        setting = current_app.config.get("WELCOME_NEIGHBOURING_DISTRICTS", "") \
            if has_app_context() else ""
    neighbours: Neighbours = {}
    for entry in setting.split(";"):
        district, _colon, others = entry.partition(":")
        district = _district(district)
        for other in map(_district, others.split(",")):
            if district and other and other != district:
                neighbours.setdefault(district, set()).add(other)
                neighbours.setdefault(other, set()).add(district)
    return neighbours
