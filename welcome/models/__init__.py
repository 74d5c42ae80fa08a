"""The data model, one module per aggregate. Importing this package registers every table."""

from welcome.models.audit import AuditAction, AuditEvent
from welcome.models.base import LabelledEnum
from welcome.models.case import (
    Case,
    CaseMember,
    CaseReferenceCounter,
    CaseSource,
    CaseStatus,
    MemberRelation,
)
from welcome.models.catalogue import (
    FieldOfAction,
    FieldTopic,
    Language,
    PartnerType,
    Reason,
    ReasonKind,
    ResidencePurpose,
)
from welcome.models.consent import (
    Consent,
    ConsentCategory,
    ConsentChannel,
    ConsentMethod,
    ConsentPurpose,
    DataCategory,
    HandoverChannel,
    WithdrawalMethod,
)
from welcome.models.consultation import Consultation, ConsultationKind, ContactChannel
from welcome.models.dossier import DossierExport, DossierExportSection, DossierSection
from welcome.models.feedback import FeedbackLink
from welcome.models.intake import Intake, IntakeOffice, IntakeStatus
from welcome.models.interview import Interview, InterviewKey, InterviewStep
from welcome.models.need import Need, NeedStatus, Priority
from welcome.models.partner import Partner
from welcome.models.person import Person, Sex
from welcome.models.referral import PartnerAnswer, Referral, ReferralCategory, ReferralStatus
from welcome.models.resource import Resource, ResourceTranslation
from welcome.models.settings import InstanceSetting
from welcome.models.user import AccessChange, Role, UiLocale, User

__all__ = [
    "AccessChange",
    "AuditAction",
    "AuditEvent",
    "Case",
    "CaseMember",
    "CaseReferenceCounter",
    "CaseSource",
    "CaseStatus",
    "Consent",
    "ConsentCategory",
    "ConsentChannel",
    "ConsentMethod",
    "ConsentPurpose",
    "Consultation",
    "ConsultationKind",
    "ContactChannel",
    "DataCategory",
    "DossierExport",
    "DossierExportSection",
    "DossierSection",
    "FeedbackLink",
    "FieldOfAction",
    "FieldTopic",
    "HandoverChannel",
    "InstanceSetting",
    "Intake",
    "IntakeOffice",
    "IntakeStatus",
    "Interview",
    "InterviewKey",
    "InterviewStep",
    "LabelledEnum",
    "Language",
    "MemberRelation",
    "Need",
    "NeedStatus",
    "Partner",
    "PartnerAnswer",
    "PartnerType",
    "Person",
    "Priority",
    "Reason",
    "ReasonKind",
    "Referral",
    "ReferralCategory",
    "ReferralStatus",
    "ResidencePurpose",
    "Resource",
    "ResourceTranslation",
    "Role",
    "Sex",
    "UiLocale",
    "User",
    "WithdrawalMethod",
]
