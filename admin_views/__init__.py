"""The staff admin: one Admin object and its views per application."""

from flask import Flask, g
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from admin_views.cases import CaseView, ConsultationView, NeedView, PersonView
from admin_views.catalogues import (
    FieldOfActionView,
    FieldTopicView,
    LanguageView,
    PartnerTypeView,
    ReasonView,
    ResidencePurposeView,
)
from admin_views.dashboard import DashboardView
from admin_views.dossier import DossierView
from admin_views.intake_clerk import ClerkIntakeView
from admin_views.intakes import IntakeView, QueueMenuLabel
from admin_views.interview import InterviewView
from admin_views.monitoring import MonitoringView
from admin_views.network import PartnerView, ResourceView
from admin_views.referrals import ConsentView, ReferralView
from admin_views.users import AuditEventView, UserView
from welcome.config import TRANSLATIONS_DIR
from welcome.models import (
    AuditEvent,
    Case,
    Consent,
    Consultation,
    FieldOfAction,
    FieldTopic,
    Intake,
    Language,
    Need,
    Partner,
    PartnerType,
    Person,
    Reason,
    Referral,
    ResidencePurpose,
    Resource,
    User,
)

CASEWORK = _l("Casework")
NETWORK = _l("Network")
ADMINISTRATION = _l("Administration")


def init_admin(app: Flask) -> Admin:
    """Build the admin with every view; menus are grouped as staff think of their work."""
    admin = Admin(
        app,
        name=app.config["WELCOME_CENTER_NAME"],
        index_view=DashboardView(name=_l("Overview"), url="/admin", endpoint="admin"),
        theme=Bootstrap4Theme(base_template="admin/welcome_base.html", fluid=True),
        csp_nonce_generator=lambda: g.get("csp_nonce", ""),
        translations_path=str(TRANSLATIONS_DIR),
    )
    admin.add_view(ClerkIntakeView(name=_l("Log new residents"), endpoint="intake",
                                   url="/intake"))
    intake_queue = IntakeView(Intake, name=_l("Intakes"), endpoint="intakes")
    admin.add_view(intake_queue)
    intake_queue.menu.name = QueueMenuLabel(intake_queue.name)
    admin.add_view(CaseView(Case, name=_l("Cases"), category=CASEWORK, endpoint="case"))
    admin.add_view(InterviewView(name=_l("New orientation interview"), category=CASEWORK,
                                 endpoint="interview", url="/admin/interview"))
    admin.add_view(DossierView(name=_l("Welcome folder"), endpoint="dossier",
                               url="/admin/dossier"))
    admin.add_view(PersonView(Person, name=_l("Persons"), category=CASEWORK, endpoint="person"))
    admin.add_view(NeedView(Need, name=_l("Needs"), category=CASEWORK, endpoint="need"))
    admin.add_view(ReferralView(Referral, name=_l("Referrals"), category=CASEWORK,
                                endpoint="referral"))
    admin.add_view(ConsultationView(Consultation, name=_l("Consultations"), category=CASEWORK,
                                    endpoint="consultation"))
    admin.add_view(ConsentView(Consent, name=_l("Consents"), category=CASEWORK,
                               endpoint="consent"))
    admin.add_view(PartnerView(Partner, name=_l("Partners"), category=NETWORK,
                               endpoint="partner"))
    admin.add_view(ResourceView(Resource, name=_l("Links and material"), category=NETWORK,
                                endpoint="resource"))
    admin.add_view(MonitoringView(name=_l("Monitoring"), endpoint="monitoring",
                                  url="/monitoring"))
    admin.add_view(FieldOfActionView(FieldOfAction, name=_l("Fields of action"),
                                     category=ADMINISTRATION, endpoint="field_of_action"))
    admin.add_view(FieldTopicView(FieldTopic, name=_l("Everyday topics"),
                                  category=ADMINISTRATION, endpoint="field_topic"))
    admin.add_view(ResidencePurposeView(ResidencePurpose, name=_l("Residence purposes"),
                                        category=ADMINISTRATION, endpoint="residence_purpose"))
    admin.add_view(PartnerTypeView(PartnerType, name=_l("Partner types"),
                                   category=ADMINISTRATION, endpoint="partner_type"))
    admin.add_view(LanguageView(Language, name=_l("Languages"), category=ADMINISTRATION,
                                endpoint="language"))
    admin.add_view(ReasonView(Reason, name=_l("Reasons"), category=ADMINISTRATION,
                              endpoint="reason"))
    admin.add_view(UserView(User, name=_l("Users"), category=ADMINISTRATION, endpoint="user"))
    admin.add_view(AuditEventView(AuditEvent, name=_l("Audit log"), category=ADMINISTRATION,
                                  endpoint="audit"))
    return admin
