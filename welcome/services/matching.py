"""Which partners suit a need: one ranking used by the interview and every other screen.

Ranking rules (documented for staff in the README):

1. Only **active** partners that **serve the need's field of action** are suggested.
2. Points: +3 if the partner offers the person's **preferred language**; +1 if it offers
   another **language the person speaks**; +2 if it is in the person's **district**;
   +1 if it **accepts handovers by e-mail** (and has an address). There is no map of
   neighbouring districts, so "nearby" means "the same district".
3. Higher points first; equal points by name. Every suggestion carries the reasons it got.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from welcome.models import FieldOfAction, Need, Partner, Person

POINTS_PREFERRED_LANGUAGE = 3
POINTS_OTHER_LANGUAGE = 1
POINTS_DISTRICT = 2
POINTS_EMAIL = 1


@dataclass
class Suggestion:
    partner: Partner
    points: int = 0
    reasons: list[str] = field(default_factory=list)


def suggest_partners(session: Session, need: Need, person: Person | None = None,
                     limit: int = 5) -> list[Suggestion]:
    """Partners for ``need``, best first, each with the reasons for its place.

    :param person: whose languages and district count; by default the person the need
        concerns, else the case's main person.
    """
    person = person or need.person or need.case.main_person
    partners = session.scalars(
        select(Partner)
        .where(Partner.active.is_(True),
               Partner.fields_of_action.any(FieldOfAction.id == need.field_of_action_id))
        .options(selectinload(Partner.languages))
    ).all()
    return best(partners, need, person, limit)


def active_partners_for(session: Session, field_ids: Iterable[int]) -> list[Partner]:
    """Active partners serving any of these fields, with languages and fields loaded.

    For screens that rank partners for many needs at once (the welcome folder): one query
    for all of them, then :func:`best` per need over the partners that serve its field.
    """
    return list(session.scalars(
        select(Partner)
        .where(Partner.active.is_(True),
               Partner.fields_of_action.any(FieldOfAction.id.in_(list(field_ids))))
        .options(selectinload(Partner.languages), selectinload(Partner.fields_of_action))
    ))


def best(partners: Iterable[Partner], need: Need, person: Person,
         limit: int) -> list[Suggestion]:
    """The ``limit`` best of ``partners`` (all serving the need's field), by the rules above."""
    suggestions = [rank(partner, need, person) for partner in partners]
    suggestions.sort(key=lambda s: (-s.points, s.partner.name.lower(), s.partner.id))
    return suggestions[:limit]


def rank(partner: Partner, need: Need, person: Person) -> Suggestion:
    """Points and reasons of one partner for one need and person (see the module rules)."""
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
    if person.district and partner.district and \
            person.district.strip().lower() == partner.district.strip().lower():
        suggestion.points += POINTS_DISTRICT
        suggestion.reasons.append(_("in the same district (%(district)s)",
                                    district=person.district.strip()))
    if partner.accepts_email_handover and partner.email:
        suggestion.points += POINTS_EMAIL
        suggestion.reasons.append(_("takes handovers by e-mail"))
    return suggestion
