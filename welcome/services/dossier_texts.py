"""The per-field texts of the welcome folder, in the ``documents`` gettext domain.

Fields of action are catalogue data with German and English labels that staff may edit; the
folder prints them in five more languages. Their English labels are therefore also marked
here, so the documents catalogue carries a translation for each seeded field. A field added
later by IT is printed with its English label until someone adds it to this list.

The appointment-preparation sheets suggest questions to ask and documents to bring. Each
field of action has its own, printed after the questions and documents every appointment
needs; a field without its own list (``other``, or one added later) gets only those.
"""

from dataclasses import dataclass

from welcome.i18n import dt

#: English labels of the seeded fields of action, as in ``catalogues/fields_of_action.json``.
FIELD_LABELS = (
    dt("Residence and family reunification"),
    dt("Registration and authorities"),
    dt("Finding a home"),
    dt("Recognition of foreign qualifications"),
    dt("Work, job search and applications"),
    dt("German and integration course"),
    dt("Childcare and school"),
    dt("Bank account"),
    dt("Insurance (health and other)"),
    dt("Phone, internet and energy contracts"),
    dt("Health care"),
    dt("Everyday life (waste separation, broker fees …)"),
    dt("Social contacts, volunteering and leisure"),
    dt("Other"),
)

PASSPORT = dt("Passport or identity card")
PERMIT = dt("Residence permit or visa")
THIS_FOLDER = dt("This folder")
LETTERS = dt("Letters you have received about this")
REGISTRATION = dt("Registration certificate (Meldebescheinigung)")
LANDLORD = dt("Landlord's confirmation of moving in (Wohnungsgeberbestätigung)")
CIVIL_STATUS = dt("Marriage and birth certificates, with translations")
INCOME = dt("Proof of income, e.g. your last three pay slips")
CERTIFICATES = dt("Your certificates and diplomas, with translations if you have them")
CV = dt("Your CV (Lebenslauf)")
JOB = dt("Employment contract or job offer")
COURSE_LETTER = dt("Your letter of eligibility for the integration course, if you have one")
COURSE_CERTIFICATES = dt("Certificates of German courses you have taken")
CHILD_BIRTH = dt("Your child's birth certificate")
MEASLES = dt("Proof of your child's measles vaccination")
SCHOOL_REPORTS = dt("Your child's latest school reports")
TAX_ID = dt("Tax identification number (Steuer-ID)")
HEALTH_CARD = dt("Health insurance card")
BANK = dt("Your bank details (IBAN)")
CONTRACT = dt("The contract or offer you want to discuss")
MEDICATION = dt("A list of the medicines you take")

#: Asked at every appointment.
COMMON_QUESTIONS = (
    dt("What is the next step, and who takes it?"),
    dt("By when will I hear from you, and how can I reach you?"),
)
#: Brought to every appointment.
COMMON_DOCUMENTS = (PASSPORT, THIS_FOLDER)


@dataclass(frozen=True)
class FieldTexts:
    """What an appointment in one field of action usually needs."""

    questions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


FIELD_TEXTS: dict[str, FieldTexts] = {
    "residence": FieldTexts(
        (dt("How long is my residence permit valid, and when do I apply to extend it?"),
         dt("What does my family need in order to join me?")),
        (PERMIT, CIVIL_STATUS, INCOME)),
    "registration": FieldTexts(
        (dt("Which other offices do I have to tell about my new address?"),
         dt("When and how will I receive my tax identification number?")),
        (LANDLORD, PERMIT)),
    "housing": FieldTexts(
        (dt("Which rent can I afford, and which costs come on top?"),
         dt("Am I entitled to a housing entitlement certificate (Wohnberechtigungsschein)?"),
         dt("How do I recognise a fair rental contract?")),
        (INCOME, REGISTRATION, PERMIT)),
    "recognition": FieldTexts(
        (dt("Which office decides on the recognition of my qualification?"),
         dt("Which documents must be translated, and by whom?"),
         dt("How long does recognition take, and what does it cost?")),
        (CERTIFICATES, CV)),
    "work": FieldTexts(
        (dt("Which jobs suit my qualifications?"),
         dt("Does my residence permit allow this job?"),
         dt("Can you look through my CV and application with me?")),
        (CV, CERTIFICATES, PERMIT)),
    "language": FieldTexts(
        (dt("Which course and which level suit me?"),
         dt("Do I have to pay for the course, or can the costs be covered?"),
         dt("Is there childcare during the course?")),
        (COURSE_LETTER, COURSE_CERTIFICATES, PERMIT)),
    "childcare_school": FieldTexts(
        (dt("How do I apply for a day-care place or register my child at school?"),
         dt("Is there extra German support for my child?")),
        (CHILD_BIRTH, MEASLES, SCHOOL_REPORTS, REGISTRATION)),
    "bank_account": FieldTexts(
        (dt("Which account suits me, and what does it cost each month?"),),
        (REGISTRATION, TAX_ID)),
    "insurance": FieldTexts(
        (dt("Which health insurance fund can I choose?"),
         dt("Which other insurance do I really need?")),
        (JOB, BANK)),
    "contracts": FieldTexts(
        (dt("How long is the minimum term, and how do I cancel?"),
         dt("What does it cost in total each month?")),
        (CONTRACT, BANK, REGISTRATION)),
    "health": FieldTexts(
        (dt("How do I find a family doctor who speaks my language?"),
         dt("What do I do in an emergency or at night?")),
        (HEALTH_CARD, MEDICATION)),
    "everyday_life": FieldTexts(
        (dt("How is waste separated here, and when is it collected?"),
         dt("Which ticket for buses and trains suits me?")),
        (LETTERS,)),
    "social_contacts": FieldTexts(
        (dt("Which clubs or groups suit my interests?"),
         dt("Where can I volunteer?")),
        ()),
}


def preparation_texts(field_code: str | None) -> FieldTexts:
    """Questions and documents for an appointment in this field: the common ones first."""
    own = FIELD_TEXTS.get(field_code or "", FieldTexts())
    documents = [*COMMON_DOCUMENTS, *(d for d in own.documents if d not in COMMON_DOCUMENTS)]
    return FieldTexts((*COMMON_QUESTIONS, *own.questions), tuple(documents))


#: The data-protection page: (heading, text) in the order printed.
PRIVACY_TOPICS = (
    (dt("What the Welcome Center stores"),
     dt("The Welcome Center stores what you told it for your advice: your name, contact details "
        "and address, your household, the purpose of your stay, your needs, the referrals to "
        "partners and your consents. It does not record your health, religion or ethnic "
        "origin.")),
    (dt("Who receives my data"),
     dt("The city advises newcomers as one of its public tasks. A partner receives your data "
        "only if you have agreed to it, and only the data you agreed to. Every passing on is "
        "recorded.")),
    (dt("How long it is kept"),
     dt("Your data is deleted %(months)s months after your case is closed.")),
    (dt("Withdrawing my consent"),
     dt("You can withdraw a consent at any time without giving reasons: in person, by phone, "
        "in writing or by e-mail to the Welcome Center. It applies from then on; what was "
        "passed on before stays lawful.")),
    (dt("My rights"),
     dt("You may ask which data is stored about you and to whom it went, have wrong data "
        "corrected and, where the law allows, have it deleted or its use restricted. You may "
        "complain to the data protection supervisory authority.")),
)
