"""The orientation interview: each step saves into the case's own records.

The interview row only remembers the step a coordinator reached, so leaving and coming back
resumes there. Every form of a step carries a one-time key: the same form sent twice (a double
click, the browser's back button, a network retry) is recognised and saved once, while an
older form whose content differs is refused like any stale edit. Every record a step changes
is versioned, so a colleague's change made meanwhile — in the interview or on another
screen — is never silently overwritten.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from welcome.models import (
    Case,
    CaseMember,
    CaseStatus,
    Consent,
    ConsentPurpose,
    Consultation,
    ConsultationKind,
    ContactChannel,
    FieldOfAction,
    HandoverChannel,
    Interview,
    InterviewKey,
    InterviewStep,
    Language,
    MemberRelation,
    Need,
    NeedStatus,
    Partner,
    Person,
    Priority,
    Reason,
    ReasonKind,
    Referral,
    ReferralStatus,
    User,
)
from welcome.models.types import utcnow
from welcome.services import cases, consents, consultations, matching, needs, persons, referrals
from welcome.services.errors import DomainError, FieldErrors, StaleEditError
from welcome.services.versioning import check_version, stale_message

#: Person fields the household step edits for the main person.
PERSON_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "nationality",
                 "preferred_language", "languages", "phone", "email")
#: Person fields the household step edits for the other members.
MEMBER_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "preferred_language")
#: Fields of the arrival step.
ARRIVAL_FIELDS = ("residence_purpose", "arrival_date", "employer", "street", "postcode", "city",
                  "district")
#: Length of a need's note (its description column).
NOTE_MAX = 500
#: Most blank member rows offered at once (an intake may announce a large household).
MAX_BLANK_MEMBER_ROWS = 8
#: Longest one-time form key accepted (the view makes 22-character keys).
KEY_MAX = 40


class RepeatedSubmission(Exception):
    """The same form, with the same content, was saved before; nothing more is to be done."""


def touch(case: Case) -> None:
    """Count an interview step as a change of the case, so a colleague's stale form is refused."""
    case.updated_at = utcnow()


# --- the interview and its forms ------------------------------------------------------------


def start_interview(session: Session, case: Case, by: User | None) -> Interview:
    """The case's unfinished interview, or a new one starting with the household.

    The only way an interview begins; the step pages work on the open one and never open
    another, so looking at a finished interview cannot start a new one.
    """
    interview = current_interview(session, case)
    if interview is None:
        interview = Interview(case=case, step=InterviewStep.HOUSEHOLD, started_by=by)
        session.add(interview)
        session.flush()
    return interview


def current_interview(session: Session, case: Case) -> Interview | None:
    """The case's unfinished interview, if there is one."""
    return session.scalar(select(Interview).where(
        Interview.case_id == case.id, Interview.finished_at.is_(None)))


def last_finished(session: Session, case: Case) -> Interview | None:
    """The case's most recently finished interview, if any."""
    return session.scalar(select(Interview).where(
        Interview.case_id == case.id, Interview.finished_at.is_not(None))
        .order_by(Interview.finished_at.desc(), Interview.id.desc()).limit(1))


def reach(interview: Interview, step: InterviewStep) -> None:
    """Remember the furthest step reached (going back to look does not lose progress)."""
    steps = list(InterviewStep)
    if steps.index(step) > steps.index(interview.step):
        interview.step = step


def usable_key(key: str | None) -> str | None:
    """A one-time key as a form may carry it, or None for anything else."""
    if key and len(key) <= KEY_MAX and all(c.isalnum() or c in "-_" for c in key):
        return key
    return None


def recall(session: Session, key: str | None) -> InterviewKey | None:
    """The saved form that carried ``key``, if any."""
    key = usable_key(key)
    return session.get(InterviewKey, key) if key else None


def claim_key(session: Session, interview: Interview, step: InterviewStep, key: str | None,
              digest: str) -> None:
    """Remember a form's key together with its content, as part of saving the form.

    :param digest: a fingerprint of what the form sent.
    :raises RepeatedSubmission: when this form was saved already, with the same content —
        earlier, or a moment ago by a twin request (the key is the table's primary key, so
        the second of two racing requests fails here and is rolled back).
    :raises StaleEditError: when the key was saved with other content: an old form.

    A form without a usable key (not rendered by the interview) is protected by the
    version checks alone.
    """
    key = usable_key(key)
    if key is None:
        return
    _compare(recall(session, key), interview, digest)
    try:
        with session.begin_nested():
            session.add(InterviewKey(key=key, interview=interview, step=step, digest=digest))
    except IntegrityError:
        _compare(recall(session, key), interview, digest)
        raise


def _compare(saved: InterviewKey | None, interview: Interview, digest: str) -> None:
    if saved is None:
        return
    if saved.interview_id == interview.id and saved.digest == digest:
        raise RepeatedSubmission(saved.key)
    raise StaleEditError(stale_message())


# --- step 1: household ----------------------------------------------------------------------


@dataclass
class MemberRow:
    """One household row as entered.

    :param person_id: the member's person for a recorded member, None for a new row.
    :param version: the person version the row was rendered with.
    :param name: the row's name in the form (``members-2``), so a message names its inputs.
    """

    person_id: int | None
    relation: MemberRelation | None
    values: dict[str, Any]
    version: Any = None
    remove: bool = False
    name: str = "members-0"

    @property
    def empty(self) -> bool:
        return not any(self.values.get(name) for name in ("given_name", "family_name",
                                                            "date_of_birth"))


def blank_member_rows(case: Case | None) -> int:
    """Empty rows the household step offers: one, or as many as the intake announced."""
    if case is None:
        return 1
    announced = max((intake.household_size or 1 for intake in case.intakes), default=1)
    return max(1, min(announced - 1 - len(case.members), MAX_BLANK_MEMBER_ROWS))


def start_walk_in(session: Session, main: dict[str, Any], members: Iterable[MemberRow],
                  source: Any, by: User | None) -> Interview:
    """A person who walked in: their person record, a case and its interview at once.

    :raises DomainError: naming the input (``main-…`` or ``members-<n>-…``) at fault.
    """
    with session.no_autoflush:
        person = Person(**{k: v for k, v in main.items() if k != "languages"})
        person.languages = list(main.get("languages") or [])
        _check(person, "main")
    session.add(person)
    case = cases.open_case(session, person, source=source, responsible=by)
    interview = start_interview(session, case, by)
    save_household(session, interview, {}, members, {"case": case.version,
                                                     "person": person.version})
    reach(interview, InterviewStep.ARRIVAL)
    return interview


def save_household(session: Session, interview: Interview, main: dict[str, Any],
                   members: Iterable[MemberRow], versions: dict[str, Any]) -> None:
    """Update the main person and the household members; add new members, remove others.

    :param versions: the versions of the case and main person the form was rendered with.
    :raises StaleEditError: when a colleague changed the case or one of the persons meanwhile.
    :raises DomainError: for a missing name, implausible values or a person listed twice,
        naming the input at fault (``main-…`` or ``members-<n>-…``).
    """
    case = interview.case
    check_version(case, versions.get("case"))
    check_version(case.main_person, versions.get("person"))
    with session.no_autoflush:
        _apply(case.main_person, main, PERSON_FIELDS)
        _check(case.main_person, "main")
        by_person = {member.person_id: member for member in case.members}
        for row in members:
            prefix = row.name
            if row.person_id is None:
                if not row.empty and not row.remove:
                    _add_member(session, case, row, prefix)
                continue
            member = by_person.get(row.person_id)
            if member is None:
                raise DomainError(_("This person does not belong to the household."),
                                  f"{prefix}-given_name")
            check_version(member.person, row.version)
            if row.remove:
                _remove_member(session, interview, member, prefix)
                continue
            member.relation = row.relation or member.relation
            _apply(member.person, row.values, MEMBER_FIELDS)
            _check(member.person, prefix)
    session.flush()


def _add_member(session: Session, case: Case, row: MemberRow, prefix: str) -> None:
    person = Person(**{key: row.values.get(key) for key in MEMBER_FIELDS})
    _check(person, prefix)
    session.add(person)
    try:
        cases.add_member(case, person, row.relation or MemberRelation.OTHER)
    except DomainError as error:
        raise DomainError(error.message, f"{prefix}-given_name") from error


def _remove_member(session: Session, interview: Interview, member: CaseMember,
                   prefix: str) -> None:
    """Take a member off the household; a person entered in this interview and known nowhere
    else is deleted with it, so no stray person record stays behind."""
    person = member.person
    try:
        cases.remove_member(interview.case, member)
    except DomainError as error:
        raise DomainError(error.message, f"{prefix}-remove") from error
    elsewhere = session.scalar(select(or_(
        exists().where(CaseMember.person_id == person.id, CaseMember.id != member.id),
        exists().where(Case.main_person_id == person.id),
        exists().where(Consent.person_id == person.id),
    )))
    if person.created_at >= interview.started_at and not elsewhere:
        session.delete(person)


def _apply(person: Person, values: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if name in values:
            setattr(person, name, values[name])


def _check(person: Person, prefix: str | None) -> None:
    """:func:`persons.check_person`, with the message on the form's own input."""
    try:
        persons.check_person(person)
    except DomainError as error:
        field = f"{prefix}-{error.field}" if prefix and error.field else error.field
        raise DomainError(error.message, field) from error


# --- step 2: arrival ------------------------------------------------------------------------


def save_arrival(session: Session, interview: Interview, values: dict[str, Any],
                 whole_household: bool, versions: dict[str, Any]) -> None:
    """Arrival facts for the main person, and for members who have none of their own.

    A member born after the arrival date (a child born here) is not given that date.

    :param versions: the versions of the case and main person the form was rendered with.
    :raises StaleEditError: when a colleague changed the case or the main person meanwhile.
    """
    case = interview.case
    check_version(case, versions.get("case"))
    check_version(case.main_person, versions.get("person"))
    with session.no_autoflush:
        _apply(case.main_person, values, ARRIVAL_FIELDS)
        _check(case.main_person, None)
        if whole_household:
            arrived = values.get("arrival_date")
            for member in case.members:
                person = member.person
                for name in ARRIVAL_FIELDS:
                    if getattr(person, name) not in (None, "") or not values.get(name):
                        continue
                    if name == "arrival_date" and person.date_of_birth \
                            and arrived < person.date_of_birth:
                        continue
                    setattr(person, name, values[name])
                _check(person, None)
    session.flush()


# --- step 3: needs --------------------------------------------------------------------------


@dataclass
class NeedChoice:
    """One field of action on the needs step, as sent.

    :param version: the version of the need the row showed; "" when it showed none.
    """

    field: FieldOfAction
    ticked: bool
    person_id: str = ""
    priority: str = Priority.MEDIUM.value
    topic_ids: list[str] = field(default_factory=list)
    note: str = ""
    version: str = ""

    @property
    def prefix(self) -> str:
        return f"need-{self.field.id}"


def current_need(case: Case, field_of_action: FieldOfAction) -> Need | None:
    """The need the needs step shows for a field: open, or marked unmet (a gap still stands).

    The interview updates it instead of recording the field a second time.
    """
    candidates = [need for need in case.needs if need.field_of_action_id == field_of_action.id
                  and (need.status in NeedStatus.open_statuses()
                       or need.status == NeedStatus.UNMET)]
    candidates.sort(key=lambda need: (need.status == NeedStatus.UNMET, -need.id))
    return candidates[0] if candidates else None


def offered_topics(field_of_action: FieldOfAction, need: Need | None) -> list[Any]:
    """The topics a row offers: the active ones, and retired ones the need still has."""
    return [topic for topic in field_of_action.topics
            if topic.active or (need is not None and topic in need.topics)]


def save_needs(session: Session, interview: Interview,
               choices: Iterable[NeedChoice]) -> list[Need]:
    """Record the ticked needs, update the recorded ones, remove those unticked.

    Only a need entered in this interview and not yet referred can be unticked away; an older
    need or one with referrals stays, with a message saying where to close it.

    :raises StaleEditError: when a need changed (or appeared) since the form was rendered.
    :raises FieldErrors: listing every row with a wrong value, before anything is changed.
    """
    case = interview.case
    errors: dict[str, str] = {}
    plan: list[tuple[NeedChoice, Need | None, Person | None, Priority, list[Any], str]] = []
    removals: list[Need] = []
    for choice in choices:
        need = current_need(case, choice.field)
        if (need is None) != (choice.version == ""):
            raise StaleEditError(stale_message())
        if need is not None:
            check_version(need, choice.version)
        if not choice.ticked:
            if need is not None:
                problem = _why_it_stays(interview, need)
                if problem:
                    errors[choice.prefix] = problem
                else:
                    removals.append(need)
            continue
        problem, values = _need_values(case, choice, need)
        if problem:
            errors[choice.prefix] = problem
        else:
            plan.append((choice, need, *values))
    if errors:
        raise FieldErrors(_("Please check the marked needs."), errors)
    for need in removals:
        case.needs.remove(need)
    saved = []
    for choice, need, person, priority, topics, note in plan:
        if need is None:
            need = Need(case=case, field_of_action=choice.field, identified_on=date.today())
            session.add(need)
        need.person = person
        need.priority = priority
        need.topics = topics
        need.description = note or None
        needs.check_need(need)
        saved.append(need)
    session.flush()
    return saved


def _need_values(case: Case, choice: NeedChoice,
                 need: Need | None) -> tuple[str | None, tuple[Any, ...]]:
    try:
        priority = Priority(choice.priority)
    except ValueError:
        return _("Choose a priority from the list."), ()
    person = None
    if choice.person_id:
        person = next((p for p in case.household if str(p.id) == choice.person_id), None)
        if person is None:
            return _("Choose a member of the household."), ()
    offered = {str(topic.id): topic for topic in offered_topics(choice.field, need)}
    if any(topic_id not in offered for topic_id in choice.topic_ids):
        return _("Choose topics from the list."), ()
    note = " ".join(choice.note.split())
    if len(note) > NOTE_MAX:
        return _("The note may be at most %(n)d characters long.", n=NOTE_MAX), ()
    topics = [offered[topic_id] for topic_id in dict.fromkeys(choice.topic_ids)]
    return None, (person, priority, topics, note)


def _why_it_stays(interview: Interview, need: Need) -> str | None:
    if any(r.need is need for r in need.case.referrals):
        return _("This need has referrals, so it stays. Cancel them on the referral page "
                 "if it is no longer needed.")
    if need.created_at < interview.started_at:
        return _("This need was recorded before this interview, so it stays. Close it on "
                 "the need's own page if it is no longer needed.")
    return None


# --- step 4: partners -----------------------------------------------------------------------


@dataclass
class PartnerChoice:
    """What was chosen for one need on the partners step.

    :param partner_ids: the ticked partners (as sent).
    :param reason_id: the reason chosen for "unmet" (as sent; "" for none).
    :param version: the need version the form was rendered with.
    """

    need: Need
    partner_ids: list[str]
    reason_id: str = ""
    version: str = ""

    @property
    def prefix(self) -> str:
        return f"need-{self.need.id}"


def partner_needs(case: Case) -> list[Need]:
    """The needs the partners step lists: the open ones, and the unmet ones (to undo)."""
    return [need for need in case.needs
            if need.status in NeedStatus.open_statuses() or need.status == NeedStatus.UNMET]


def retractable(interview: Interview, need: Need) -> dict[int, Referral]:
    """Referrals of ``need`` this interview planned and nobody handed over: un-ticking the
    partner removes them again (nothing was passed on)."""
    return {r.partner_id: r for r in need.case.referrals
            if r.need is need and r.status == ReferralStatus.PLANNED
            and r.created_at >= interview.started_at}


def unmet_reasons(session: Session) -> list[Reason]:
    return list(session.scalars(
        select(Reason).where(Reason.kind == ReasonKind.NEED_UNMET, Reason.active.is_(True))
        .order_by(Reason.sort_order, Reason.id)))


def save_partner_choices(session: Session, interview: Interview,
                         choices: Iterable[PartnerChoice]) -> None:
    """Plan a referral to each newly ticked partner, remove those un-ticked, mark needs unmet
    with a reason, or take the mark back.

    Ticked partners must be among the suggestions (active, serving the need's field).
    A need is either referred or unmet: both at once is refused, as is "unmet" for a need
    whose referrals are already under way.

    :raises StaleEditError: when a need changed since the form was rendered.
    :raises FieldErrors: listing every need with a wrong choice, before anything is changed.
    """
    choices = list(choices)
    eligible = matching.eligible_partners(
        session, {choice.need.field_of_action_id for choice in choices})
    reasons = {str(reason.id): reason for reason in unmet_reasons(session)}
    errors: dict[str, str] = {}
    plan = []
    for choice in choices:
        need = choice.need
        check_version(need, choice.version)
        offered = eligible.get(need.field_of_action_id, {})
        undoable = retractable(interview, need)
        picked = set()
        for partner_id in choice.partner_ids:
            if not partner_id.isdecimal() or (int(partner_id) not in offered
                                            and int(partner_id) not in undoable):
                errors[choice.prefix] = _("Choose partners from the suggestions.")
            else:
                picked.add(int(partner_id))
        reason = reasons.get(choice.reason_id) if choice.reason_id else None
        under_way = [r for r in need.case.referrals if r.need is need
                     and r.status in ReferralStatus.open_statuses()
                     and r.partner_id not in undoable]
        if choice.reason_id and reason is None:
            errors[choice.prefix] = _("Choose a reason from the list.")
        elif reason is not None and picked:
            errors[choice.prefix] = _("Either refer the need to a partner or mark it as "
                                      "unmet, not both.")
        elif reason is not None and under_way:
            errors[choice.prefix] = _("Referrals of this need are under way, so it cannot be "
                                      "marked as unmet.")
        plan.append((need, picked, undoable, reason, offered))
    if errors:
        raise FieldErrors(_("Please check the marked needs."), errors)
    for need, picked, undoable, reason, offered in plan:
        for partner_id, referral in undoable.items():
            if partner_id not in picked:
                need.case.referrals.remove(referral)
        refer_to(session, need, [offered[p] for p in sorted(picked - undoable.keys())])
        if reason is not None:
            mark_unmet(need, reason)
        else:
            _settle_status(need, retracted=set(undoable) - picked)
    session.flush()


def _settle_status(need: Need, retracted: set[int]) -> None:
    """Reopen an unmet need whose mark was taken back; a need left without referrals is
    merely identified again."""
    open_referrals = [r for r in need.case.referrals if r.need is need
                      and r.status in ReferralStatus.open_statuses()]
    if need.status == NeedStatus.UNMET:
        need.status = NeedStatus.IN_PROGRESS if open_referrals else NeedStatus.IDENTIFIED
    elif need.status == NeedStatus.IN_PROGRESS and retracted and not open_referrals:
        need.status = NeedStatus.IDENTIFIED
    needs.check_need(need)


def default_channel(partner: Partner) -> HandoverChannel:
    """E-mail where the partner takes it, otherwise a phone call."""
    if partner.accepts_email_handover and partner.email:
        return HandoverChannel.EMAIL
    return HandoverChannel.PHONE


def refer_to(session: Session, need: Need, partners: Iterable[Partner]) -> list[Referral]:
    """Plan a referral of ``need`` to each partner not already planned for it."""
    present = {r.partner_id for r in need.case.referrals
               if r.need_id == need.id and r.status != ReferralStatus.CANCELLED}
    planned = []
    for partner in partners:
        if partner.id not in present:
            planned.append(referrals.plan_referral(session, need, partner,
                                                   default_channel(partner)))
            present.add(partner.id)
    return planned


def mark_unmet(need: Need, reason: Reason) -> None:
    """No suitable partner: the need stays a gap that monitoring reports."""
    need.status = NeedStatus.UNMET
    need.unmet_reason = reason
    needs.check_need(need)


# --- step 5: consent ------------------------------------------------------------------------


@dataclass
class ConsentLine:
    """A planned referral that passes data, whose consent it needs and whether it has it."""

    referral: Referral
    person: Person
    coverage: consents.Coverage


#: What may happen to a planned referral that no consent covers yet.
FALLBACKS = ("planned", "information_only")


def consent_lines(session: Session, case: Case,
                  categories: Iterable[Any]) -> list[ConsentLine]:
    """Each planned referral passing data, with the person whose consent it needs (the member
    the need concerns, or the main person — see :func:`referrals.consenting_person`)."""
    categories = list(categories)
    planned = [r for r in case.referrals if r.status == ReferralStatus.PLANNED
               and r.channel in HandoverChannel.passing_data()]
    people = [referrals.consenting_person(r) for r in planned]
    coverage = consents.covers_many(session, [
        (person, r.partner, categories, r.channel)
        for r, person in zip(planned, people, strict=True)])
    return [ConsentLine(r, person, covered)
            for r, person, covered in zip(planned, people, coverage, strict=True)]


def save_fallbacks(lines: Iterable[ConsentLine], fallbacks: dict[int, str]) -> None:
    """Referrals without consent stay planned, or become information only, as chosen.

    :param fallbacks: referral id → one of :data:`FALLBACKS`.
    :raises FieldErrors: for a choice that is not offered.
    """
    lines = [line for line in lines if not line.coverage]
    errors = {f"fallback-{line.referral.id}": _("Choose one of the offered entries.")
              for line in lines if fallbacks.get(line.referral.id, "planned") not in FALLBACKS}
    if errors:
        raise FieldErrors(_("Please check the marked referrals."), errors)
    for line in lines:
        if fallbacks.get(line.referral.id) == "information_only":
            make_information_only(line.referral)


def make_information_only(referral: Referral) -> None:
    """Without consent, the person gets the partner's contact details and calls themselves."""
    if referral.status != ReferralStatus.PLANNED:
        raise DomainError(_("Only a planned referral can become information only."))
    referral.channel = HandoverChannel.INFORMATION_ONLY


def record_consent(session: Session, interview: Interview, person: Person,
                   **values: Any) -> Consent:
    """A consent to share data with partners, given during the interview by a member of the
    household (see :func:`consents.give_consent` for ``values``).

    :raises DomainError: when the person is not of this household, or the consent incomplete.
    """
    if all(member is not person for member in interview.case.household):
        raise DomainError(_("Choose a member of the household."), "person")
    consent = consents.give_consent(session, person, purpose=ConsentPurpose.SHARE_WITH_PARTNERS,
                                    form_version=consents.CONSENT_FORM_VERSION, **values)
    touch(interview.case)
    return consent


# --- step 6: summary ------------------------------------------------------------------------


def finish(session: Session, interview: Interview, *, held_on: date, duration_minutes: int | None,
           channel: ContactChannel, language: Language | None, interpreter_used: bool,
           staff: User | None, summary: str | None, follow_up_on: date | None,
           today: date | None = None) -> Consultation:
    """Record the interview as a consultation and close it; the case becomes active.

    :raises DomainError: when the interview was saved already, is dated in the future, or
        the follow-up lies before it.
    """
    if interview.finished_at is not None:
        raise DomainError(_("This interview was already saved."))
    today = today or date.today()
    if held_on > today:
        raise DomainError(_("The interview cannot be dated in the future."), "held_on")
    if held_on.year < today.year - persons.MAX_AGE_YEARS:
        raise DomainError(_("Check the date of the interview."), "held_on")
    if follow_up_on is not None and follow_up_on < held_on:
        raise DomainError(_("The follow-up cannot be before the interview."), "follow_up_on")
    case = interview.case
    consultation = Consultation(
        case=case, kind=ConsultationKind.ORIENTATION, held_on=held_on,
        duration_minutes=duration_minutes, channel=channel, language=language,
        interpreter_used=interpreter_used, staff=staff, summary=summary,
        follow_up_on=follow_up_on,
    )
    consultations.check_consultation(consultation)
    session.add(consultation)
    case.follow_up_on = follow_up_on
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.ACTIVE
    touch(case)
    interview.step = InterviewStep.SUMMARY
    interview.finished_at = utcnow()
    interview.consultation = consultation
    session.flush()
    return consultation
