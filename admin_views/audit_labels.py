"""How the audit log screen names what it lists, in the reader's language.

Audit rows store language-neutral keys: the model's class name, attribute names and short
English detail keys ("wrong password", an export's JSON). This module turns them into the
words staff know; tests check that every audited model and field has a label here or on its
admin screen, so a new column cannot show up raw.
"""

import json
import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from welcome.models import DataCategory, HandoverChannel

#: One record of each audited kind, singular.
ENTITY_LABELS = {
    "Case": _l("Case"),
    "CaseMember": _l("Household member"),
    "Consent": _l("Consent"),
    "Consultation": _l("Consultation"),
    "DossierExport": _l("Welcome folder printed"),
    "FeedbackLink": _l("Feedback link"),
    "FieldOfAction": _l("Field of action"),
    "FieldTopic": _l("Everyday topic"),
    "Intake": _l("Intake"),
    "Interview": _l("Orientation interview"),
    "Language": _l("Language"),
    "Need": _l("Need"),
    "Partner": _l("Partner"),
    "PartnerType": _l("Partner type"),
    "Person": _l("Person"),
    "Reason": _l("Reason"),
    "Referral": _l("Referral"),
    "ResidencePurpose": _l("Residence purpose"),
    "Resource": _l("Link or material"),
    "ResourceTranslation": _l("Translation of a link or material"),
    "User": _l("User account"),
}

#: Fields no admin screen labels (hidden columns, collections, bookkeeping). A screen's own
#: ``column_labels`` win over these.
FIELD_LABELS = {
    "id": _l("Number"),
    "case": _l("Case"),
    "person": _l("Person"),
    "referral": _l("Referral"),
    "relation": _l("Relation"),
    "consultation": _l("Consultation"),
    "needs": _l("Needs"),
    "referrals": _l("Referrals"),
    "consents": _l("Consents"),
    "intakes": _l("Intakes"),
    "interviews": _l("Orientation interviews"),
    "consultations": _l("Consultations"),
    "feedback_links": _l("Feedback links"),
    "category": _l("Data categories"),
    "channel": _l("Channels"),
    "password_hash": _l("Password"),
    "duplicate_matches": _l("Result of the duplicate check"),
    "import_key": _l("Key of the imported row"),
    "submission_key": _l("Key of the sent form"),
    "partner_feedback": _l("Partner's feedback"),
    "partner_feedback_at": _l("Partner's feedback on"),
    "partner_answer": _l("Partner's answer"),
    "partner_answer_on": _l("Date the partner gave"),
    "partner_answer_reason": _l("Partner's reason"),
    "partner_note": _l("Partner's note"),
    "topics": _l("Everyday topics"),
    "dossier_exports": _l("Printed welcome folders"),
    "exported_at": _l("Printed on"),
    "exported_by": _l("Printed by"),
    "exported_by_name": _l("Printed by (name)"),
    "language": _l("Language"),
    "page_count": _l("Pages"),
    "section": _l("Parts"),
    "sha256": _l("Checksum (SHA-256)"),
    "size_bytes": _l("File size"),
    "resource": _l("Link or material"),
    "title": _l("Title"),
    "text": _l("Text"),
    "url": _l("Link"),
    "scan": _l("Scanned form"),
    "scan_mimetype": _l("File type of the scan"),
    "token_hash": _l("Link code"),
    "expires_at": _l("Valid until"),
    "revoked_at": _l("Revoked on"),
    "used_at": _l("Used on"),
    "created_by": _l("Created by"),
    "started_at": _l("Started"),
    "started_by": _l("Started by"),
    "finished_at": _l("Finished"),
    "step": _l("Step"),
}

#: Fixed detail keys written by the app.
DETAIL_LABELS = {
    "unknown user": _l("unknown user name"),
    "wrong password": _l("wrong password"),
    "locked": _l("account locked after repeated failures"),
    "inactive": _l("account switched off"),
    "rate limited": _l("too many attempts, refused"),
    "idle": _l("after a period of inactivity"),
    "edit form": _l("edit form opened"),
    "scan": _l("scanned form"),
    "feedback page": _l("partner's feedback page"),
    "consent form": _l("consent form"),
}

_HANDOVER = re.compile(r"^partner=(\d+) channel=(\w+) data=(.*)$")
_MARKED = re.compile(r"^(\d+) referral\(s\) marked$")
_FORM_VERSION = re.compile(r"^consent form (.+)$")


def entity_label(entity: str | None) -> str:
    if not entity:
        return ""
    return str(ENTITY_LABELS.get(entity, entity))


def field_labels(names: str | None, screen_labels: dict[str, Any]) -> str:
    """The comma-separated field names of an audit row, as labels."""
    if not names:
        return ""
    return ", ".join(str(screen_labels.get(name) or FIELD_LABELS.get(name, name))
                     for name in names.split(","))


def detail_label(detail: str | None) -> str:
    """A detail key or structured detail, in the reader's language; unknown text as it is."""
    if not detail:
        return ""
    if detail in DETAIL_LABELS:
        return str(DETAIL_LABELS[detail])
    if detail.startswith("{"):
        return _export(detail)
    if match := _HANDOVER.match(detail):
        partner, channel, data = match.groups()
        return _("partner no. %(partner)s, %(channel)s, data passed: %(data)s",
                 partner=partner, channel=_enum_label(HandoverChannel, channel),
                 data=", ".join(_enum_label(DataCategory, value)
                                for value in data.split(",") if value != "-") or "—")
    if match := _MARKED.match(detail):
        count = int(match.group(1))
        return ngettext("%(num)d open referral marked for review",
                        "%(num)d open referrals marked for review", count)
    if match := _FORM_VERSION.match(detail):
        return _("consent form, version %(version)s", version=match.group(1))
    return detail


def _export(detail: str) -> str:
    try:
        data = json.loads(detail)
        kind, rows, arguments = str(data["format"]).upper(), int(data["rows"]), data["list"]
    except (ValueError, KeyError, TypeError):
        return detail
    text = ngettext("%(kind)s file, %(num)d row", "%(kind)s file, %(num)d rows", rows, kind=kind)
    if arguments:
        text += "; " + _("list: %(arguments)s", arguments=arguments)
    return text


def _enum_label(enum_class: Any, value: str) -> str:
    try:
        return enum_class(value).label
    except ValueError:
        return value
