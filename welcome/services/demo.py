"""A believable, obviously fictional data set for trying the app out.

Everything goes through the same service functions staff use, so the demo data obeys every
rule (references, consent before handover, state machine) and fills the audit log.
Phone numbers come from ranges the Bundesnetzagentur keeps for fictional use; e-mail addresses
use the reserved example.org domain.
"""

import random
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from unidecode import unidecode

from welcome.models import (
    Case,
    CaseSource,
    CaseStatus,
    ConsentMethod,
    ConsentPurpose,
    Consultation,
    ConsultationKind,
    ContactChannel,
    DataCategory,
    FieldOfAction,
    HandoverChannel,
    InstanceSetting,
    Intake,
    IntakeOffice,
    IntakeStatus,
    Language,
    MemberRelation,
    Need,
    NeedStatus,
    Partner,
    PartnerType,
    Person,
    Priority,
    Reason,
    ReasonKind,
    ReferralStatus,
    ResidencePurpose,
    Resource,
    ResourceTranslation,
    Role,
    Sex,
    User,
    WithdrawalMethod,
)
from welcome.services import cases, catalogues, consents, needs, referrals, triage, users
from welcome.services.duplicates import flag_duplicates
from welcome.services.errors import DomainError
from welcome.services.resources import check_resource

DEMO_MARKER = "demo_data"
#: The demo's office hours are in the default time zone of the app.
DEMO_TIMEZONE = "Europe/Berlin"
CITY = "Musterstadt"
DISTRICTS = ("Altstadt", "Nordost", "Süd", "Weststadt", "Bahnhofsviertel", "Am Bergsteig")
STREETS = ("Lindenstraße", "Am Stadtgraben", "Bahnhofstraße", "Kastanienweg", "Hafnergasse",
           "Sonnenring", "Schulweg", "Mühlbachstraße")

#: (given names f, given names m, family names, nationality, language code)
ORIGINS = (
    (("Elif", "Ayşe", "Zeynep"), ("Emre", "Murat", "Can"), ("Yıldız", "Demir", "Aksoy"), "TR",
     "tr"),
    (("Olena", "Iryna", "Oksana"), ("Andrij", "Taras", "Dmytro"), ("Kovalenko", "Bondar", "Melnyk"),
     "UA", "uk"),
    (("Priya", "Ananya", "Kavya"), ("Arjun", "Rahul", "Vikram"), ("Raman", "Iyer", "Nair"), "IN",
     "en"),
    (("Ioana", "Elena", "Andreea"), ("Andrei", "Mihai", "Radu"), ("Popescu", "Ionescu", "Stan"),
     "RO", "ro"),
    (("Rana", "Lina", "Nour"), ("Omar", "Karim", "Samir"), ("Haddad", "Khoury", "Nasser"), "SY",
     "ar"),
    (("Ana", "Beatriz", "Camila"), ("Lucas", "Rafael", "Thiago"), ("Ferreira", "Costa", "Almeida"),
     "BR", "en"),
    (("Lan", "Mai", "Hoa"), ("Minh", "Tuan", "Duc"), ("Nguyen", "Tran", "Pham"), "VN", "vi"),
    (("Arta", "Blerina", "Drita"), ("Arben", "Besnik", "Driton"), ("Krasniqi", "Berisha", "Gashi"),
     "XK", "sq"),
    (("Amra", "Lejla", "Selma"), ("Emir", "Adnan", "Haris"), ("Hodžić", "Mehmedović", "Kovačević"),
     "BA", "hbs"),
    (("Katarzyna", "Agnieszka", "Magda"), ("Piotr", "Tomasz", "Marek"), ("Nowak", "Wiśniewska",
     "Zielińska"), "PL", "pl"),
    (("Sara", "Maryam", "Neda"), ("Reza", "Ali", "Navid"), ("Ahmadi", "Karimi", "Hosseini"), "IR",
     "fa"),
    (("Mei", "Xiu", "Lan"), ("Wei", "Jun", "Hao"), ("Zhang", "Liu", "Chen"), "CN", "zh"),
    (("Maria", "Joy", "Grace"), ("Jose", "Mark", "Paolo"), ("Santos", "Reyes", "Cruz"), "PH", "en"),
    (("Sofia", "Valentina", "Lucía"), ("Diego", "Mateo", "Javier"), ("Hernández", "García",
     "Morales"), "MX", "en"),
)
CHILD_NAMES = ("Mila", "Leon", "Noah", "Emma", "Yusuf", "Sofia", "Adam", "Lina", "Elias", "Nora")

#: (name, type code, fields of action, language codes, district, accepts e-mail handover)
PARTNERS = (
    ("Migrationsberatung für Erwachsene – Beratungsstelle Altstadt", "mbe",
     ("residence", "registration", "insurance", "everyday_life"), ("de", "en", "ru", "tr"),
     "Altstadt", True),
    ("Migrationsberatung für Erwachsene – Stadtteilbüro Nordost", "mbe",
     ("residence", "housing", "everyday_life"), ("de", "ar", "fa"), "Nordost", True),
    ("Jugendmigrationsdienst Musterstadt", "jmd", ("language", "work", "childcare_school"),
     ("de", "en", "uk", "ru"), "Süd", True),
    ("Anerkennungsberatung im Förderprogramm IQ (Demo)", "iq_recognition", ("recognition", "work"),
     ("de", "en", "ar", "ro"), "Bahnhofsviertel", True),
    ("Welcome Service der Diakonie-Sozialstation (fiktiv)", "welfare",
     ("health", "social_contacts", "everyday_life"), ("de", "en", "ro"), "Weststadt", False),
    ("Familienhilfe im Sozialzentrum Weststadt (fiktiv)", "welfare",
     ("childcare_school", "housing", "social_contacts"), ("de", "tr", "ar"), "Weststadt", True),
    ("Volkshochschule Musterstadt – Integrationskurse", "course_provider", ("language",),
     ("de", "en"), "Altstadt", True),
    ("Sprachschule Lingua Musterstadt", "course_provider", ("language",), ("de", "en", "uk", "ru"),
     "Bahnhofsviertel", True),
    ("Agentur für Arbeit Musterstadt", "employment_agency", ("work",), ("de", "en"),
     "Bahnhofsviertel", False),
    ("Jobcenter Musterstadt", "jobcenter", ("work", "housing"), ("de", "en", "ar", "uk"), "Süd",
     False),
    ("IHK-Servicestelle Musterstadt", "chamber", ("recognition", "work"), ("de", "en"), "Altstadt",
     True),
    ("Handwerkskammer – Beratungsbüro Musterstadt", "chamber", ("recognition", "work"),
     ("de",), "Am Bergsteig", True),
    ("Ausländerbehörde Musterstadt", "foreigners_authority", ("residence",), ("de", "en"),
     "Altstadt", False),
    ("Freiwilligenagentur Musterstadt", "volunteer_agency", ("social_contacts",),
     ("de", "en", "pl"), "Altstadt", True),
    ("Wohnungsbaugesellschaft Musterstadt eG", "housing_company", ("housing",), ("de",),
     "Nordost", True),
    ("Verbraucherberatung Musterstadt (fiktiv)", "consumer_advice",
     ("contracts", "bank_account", "insurance"), ("de", "en", "tr"), "Altstadt", True),
    ("Deutsch-Türkischer Kulturverein Musterstadt", "migrant_organisation",
     ("social_contacts", "everyday_life"), ("de", "tr"), "Weststadt", True),
    ("Ukrainischer Verein Musterstadt e. V.", "migrant_organisation",
     ("social_contacts", "everyday_life", "childcare_school"), ("de", "uk", "ru"), "Süd", True),
    ("Frauentreff International", "migrant_organisation", ("social_contacts",),
     ("de", "ar", "fa", "vi"), "Nordost", False),
    ("Kita-Servicestelle der Stadt Musterstadt", "other", ("childcare_school",), ("de", "en"),
     "Altstadt", True),
    ("Schulamt Musterstadt – Anmeldung Seiteneinsteiger", "other", ("childcare_school",), ("de",),
     "Altstadt", False),
    ("Stadtwerke Musterstadt Kundencenter", "other", ("contracts", "everyday_life"), ("de", "en"),
     "Bahnhofsviertel", False),
    ("Gesundheitsamt Musterstadt – Bürgerservice", "other", ("health",), ("de", "en", "ar"),
     "Am Bergsteig", False),
    ("Klinikum Musterstadt – Dolmetscherdienst (fiktiv)", "other", ("health",),
     ("de", "en", "ar", "tr", "ru"), "Nordost", True),
    ("Musterfirma Pflege GmbH – Welcome Desk", "employer", ("housing", "everyday_life"),
     ("de", "en", "hi"), "Gewerbepark", True),
)

#: Real public material a newcomer in Bavaria gets: German title and text, public link, field
#: of action (None: printed in every folder), and translations as
#: {language: (title, text, link of the page in that language or None)}.
RESOURCES: tuple[dict[str, Any], ...] = (
    {"title": "Make it in Germany – das Portal für Fachkräfte",
     "url": "https://www.make-it-in-germany.com/de/", "field": None,
     "text": "Das offizielle Portal der Bundesregierung: Visum, Arbeit, Wohnen und Leben in "
             "Deutschland.",
     "translations": {
         "en": ("Make it in Germany – the portal for skilled workers",
                "The German government's official portal: visas, work, housing and life in "
                "Germany.", "https://www.make-it-in-germany.com/en/"),
         "tr": ("Make it in Germany – nitelikli çalışanlar için portal",
                "Federal hükümetin resmi portalı: vize, iş, konut ve Almanya'da yaşam.", None),
         "ru": ("Make it in Germany – портал для специалистов",
                "Официальный портал федерального правительства: виза, работа, жильё и жизнь "
                "в Германии.", None),
         "uk": ("Make it in Germany – портал для фахівців",
                "Офіційний портал федерального уряду: віза, робота, житло та життя в "
                "Німеччині.", None),
         "ro": ("Make it in Germany – portalul pentru specialiști",
                "Portalul oficial al guvernului federal: viză, muncă, locuință și viața în "
                "Germania.", None),
         "ar": ("Make it in Germany – بوابة العمالة الماهرة",
                "البوابة الرسمية للحكومة الاتحادية: التأشيرة والعمل والسكن والحياة في ألمانيا.",
                None),
     }},
    {"title": "Integreat – Informationen für Zugewanderte vor Ort",
     "url": "https://integreat-app.de/", "field": None,
     "text": "App und Website mit Informationen Ihrer Stadt oder Ihres Landkreises, in vielen "
             "Sprachen.",
     "translations": {
         "en": ("Integreat – local information for newcomers",
                "App and website with information from your town or district, in many "
                "languages.", None),
         "tr": ("Integreat – yeni gelenler için yerel bilgiler",
                "Şehrinizden veya ilçenizden bilgiler sunan uygulama ve web sitesi, birçok "
                "dilde.", None),
         "ru": ("Integreat – местная информация для приезжих",
                "Приложение и сайт с информацией вашего города или района на многих языках.",
                None),
         "uk": ("Integreat – місцева інформація для новоприбулих",
                "Застосунок і сайт з інформацією вашого міста чи району багатьма мовами.",
                None),
         "ro": ("Integreat – informații locale pentru nou-veniți",
                "Aplicație și site cu informații din orașul sau districtul dumneavoastră, în "
                "multe limbi.", None),
         "ar": ("Integreat – معلومات محلية للقادمين الجدد",
                "تطبيق وموقع إلكتروني بمعلومات من مدينتك أو منطقتك، بلغات كثيرة.", None),
     }},
    {"title": "Anerkennung in Deutschland – der Anerkennungs-Finder",
     "url": "https://www.anerkennung-in-deutschland.de/", "field": "recognition",
     "text": "Zeigt, welche Stelle Ihren ausländischen Abschluss prüft und welche Unterlagen "
             "Sie brauchen.",
     "translations": {
         "en": ("Recognition in Germany – the Recognition Finder",
                "Shows which office assesses your foreign qualification and which documents "
                "you need.", None),
         "tr": ("Anerkennung in Deutschland – Tanınma Bulucu",
                "Yabancı diplomanızı hangi kurumun incelediğini ve hangi belgelere ihtiyacınız "
                "olduğunu gösterir.", None),
         "ru": ("Anerkennung in Deutschland – поиск по признанию",
                "Показывает, какое ведомство проверяет ваш иностранный диплом и какие "
                "документы нужны.", None),
         "uk": ("Anerkennung in Deutschland – пошук щодо визнання",
                "Показує, яка установа перевіряє ваш іноземний диплом і які документи "
                "потрібні.", None),
         "ro": ("Anerkennung in Deutschland – căutarea pentru recunoaștere",
                "Arată ce instituție verifică diploma dumneavoastră din străinătate și ce "
                "documente vă trebuie.", None),
         "ar": ("Anerkennung in Deutschland – أداة البحث عن الاعتراف",
                "تبيّن الجهة التي تدرس شهادتك الأجنبية والوثائق التي تحتاجها.", None),
     }},
    {"title": "BAMF-NAvI – Integrationskurse in der Nähe finden",
     "url": "https://www.bamf-navi.bamf.de/", "field": "language",
     "text": "Integrationskurse, Berufssprachkurse und Migrationsberatung in Ihrer Nähe.",
     "translations": {
         "en": ("BAMF-NAvI – find integration courses nearby",
                "Integration courses, job-related German courses and migration counselling "
                "near you.", None),
         "tr": ("BAMF-NAvI – yakınınızdaki uyum kurslarını bulun",
                "Yakınınızdaki uyum kursları, mesleki dil kursları ve göç danışmanlığı.", None),
         "ru": ("BAMF-NAvI – найти интеграционные курсы рядом",
                "Интеграционные курсы, профессиональные курсы немецкого и миграционные "
                "консультации рядом с вами.", None),
         "uk": ("BAMF-NAvI – знайти інтеграційні курси поблизу",
                "Інтеграційні курси, професійні курси німецької та міграційні консультації "
                "поруч із вами.", None),
         "ro": ("BAMF-NAvI – găsiți cursuri de integrare în apropiere",
                "Cursuri de integrare, cursuri de germană pentru profesie și consiliere pentru "
                "migranți în apropiere.", None),
         "ar": ("BAMF-NAvI – ابحث عن دورات الاندماج القريبة منك",
                "دورات الاندماج ودورات اللغة المهنية واستشارات الهجرة بالقرب منك.", None),
     }},
    {"title": "DW – Deutsch lernen",
     "url": "https://learngerman.dw.com/", "field": "language",
     "text": "Kostenlose Deutschkurse der Deutschen Welle im Internet, von Anfang an.",
     "translations": {
         "en": ("DW – Learn German", "Free online German courses by Deutsche Welle, from the "
                "very beginning.", None),
         "tr": ("DW – Almanca öğrenin", "Deutsche Welle'nin ücretsiz çevrim içi Almanca "
                "kursları, en baştan.", None),
         "ru": ("DW – учить немецкий", "Бесплатные онлайн-курсы немецкого от Deutsche Welle, "
                "с самого начала.", None),
         "uk": ("DW – вивчати німецьку", "Безкоштовні онлайн-курси німецької від Deutsche "
                "Welle, з самого початку.", None),
         "ro": ("DW – Învățați germană", "Cursuri gratuite de germană online de la Deutsche "
                "Welle, de la început.", None),
         "ar": ("DW – تعلّم الألمانية", "دورات مجانية لتعلّم الألمانية عبر الإنترنت من دويتشه "
                "فيله، من البداية.", None),
     }},
    {"title": "Bundesagentur für Arbeit – Jobsuche",
     "url": "https://www.arbeitsagentur.de/jobsuche/", "field": "work",
     "text": "Die Stellenbörse der Bundesagentur für Arbeit mit Angeboten aus ganz Deutschland.",
     "translations": {
         "en": ("Federal Employment Agency – job search", "The Federal Employment Agency's "
                "job board with vacancies from all over Germany.", None),
         "tr": ("Federal İş Ajansı – iş arama", "Federal İş Ajansı'nın tüm Almanya'dan iş "
                "ilanları sunan iş borsası.", None),
         "ru": ("Федеральное агентство по труду – поиск работы", "Биржа вакансий "
                "Федерального агентства по труду по всей Германии.", None),
         "uk": ("Федеральна агенція з праці – пошук роботи", "Біржа вакансій Федеральної "
                "агенції з праці по всій Німеччині.", None),
         "ro": ("Agenția Federală pentru Ocuparea Forței de Muncă – căutare de locuri de "
                "muncă", "Bursa de locuri de muncă a agenției, cu oferte din toată Germania.",
                None),
         "ar": ("الوكالة الاتحادية للعمل – البحث عن عمل", "بورصة الوظائف التابعة للوكالة "
                "الاتحادية للعمل بعروض من كل أنحاء ألمانيا.", None),
     }},
    {"title": "mbeon – Migrationsberatung online",
     "url": "https://www.mbeon.de/", "field": "residence",
     "text": "Kostenlose und vertrauliche Online-Beratung der Migrationsberatung für "
             "Erwachsene, auch in Ihrer Sprache.",
     "translations": {
         "en": ("mbeon – migration counselling online", "Free and confidential online "
                "counselling by the migration advice service for adults, also in your "
                "language.", None),
         "tr": ("mbeon – çevrim içi göç danışmanlığı", "Yetişkinler için göç danışmanlığının "
                "ücretsiz ve gizli çevrim içi danışmanlığı, kendi dilinizde de.", None),
         "ru": ("mbeon – миграционная консультация онлайн", "Бесплатная и конфиденциальная "
                "онлайн-консультация для взрослых мигрантов, в том числе на вашем языке.",
                None),
         "uk": ("mbeon – міграційна консультація онлайн", "Безкоштовна й конфіденційна "
                "онлайн-консультація для дорослих мігрантів, зокрема вашою мовою.", None),
         "ro": ("mbeon – consiliere pentru migranți online", "Consiliere online gratuită și "
                "confidențială pentru migranții adulți, și în limba dumneavoastră.", None),
         "ar": ("mbeon – استشارات الهجرة عبر الإنترنت", "استشارات مجانية وسرية عبر الإنترنت "
                "لخدمة استشارات الهجرة للبالغين، بلغتك أيضاً.", None),
     }},
    {"title": "Handbook Germany – Alltag in Deutschland",
     "url": "https://handbookgermany.de/", "field": "everyday_life",
     "text": "Informationen zu Wohnen, Arbeit, Gesundheit und Alltag, in vielen Sprachen.",
     "translations": {
         "en": ("Handbook Germany – everyday life in Germany", "Information on housing, work, "
                "health and everyday life, in many languages.", None),
         "tr": ("Handbook Germany – Almanya'da günlük yaşam", "Konut, iş, sağlık ve günlük "
                "yaşam hakkında bilgiler, birçok dilde.", None),
         "ru": ("Handbook Germany – повседневная жизнь в Германии", "Информация о жилье, "
                "работе, здоровье и быте на многих языках.", None),
         "uk": ("Handbook Germany – повсякденне життя в Німеччині", "Інформація про житло, "
                "роботу, здоров'я та побут багатьма мовами.", None),
         "ro": ("Handbook Germany – viața de zi cu zi în Germania", "Informații despre "
                "locuință, muncă, sănătate și viața de zi cu zi, în multe limbi.", None),
         "ar": ("Handbook Germany – الحياة اليومية في ألمانيا", "معلومات عن السكن والعمل "
                "والصحة والحياة اليومية، بلغات كثيرة.", None),
     }},
    {"title": "116117 – ärztlicher Bereitschaftsdienst",
     "url": "https://www.116117.de/", "field": "health",
     "text": "Wenn die Arztpraxis geschlossen ist: Telefon 116117. Im Notfall: 112.",
     "translations": {
         "en": ("116117 – out-of-hours medical service", "When your doctor's practice is "
                "closed: call 116117. In an emergency: 112.", None),
         "tr": ("116117 – nöbetçi doktor hizmeti", "Doktorunuzun muayenehanesi kapalıysa: "
                "116117'yi arayın. Acil durumda: 112.", None),
         "ru": ("116117 – дежурная медицинская служба", "Если врачебная практика закрыта: "
                "звоните 116117. В экстренном случае: 112.", None),
         "uk": ("116117 – чергова лікарська служба", "Якщо лікарська практика зачинена: "
                "телефонуйте 116117. У невідкладному випадку: 112.", None),
         "ro": ("116117 – serviciul medical de gardă", "Când cabinetul medicului este închis: "
                "sunați la 116117. În caz de urgență: 112.", None),
         "ar": ("116117 – خدمة الطبيب المناوب", "عندما تكون عيادة الطبيب مغلقة: اتصل بالرقم "
                "116117. في حالات الطوارئ: 112.", None),
     }},
    {"title": "Verbraucherzentrale Bayern – Beratung",
     "url": "https://www.verbraucherzentrale-bayern.de/", "field": "contracts",
     "text": "Unabhängige Beratung zu Verträgen für Handy, Internet, Strom und Versicherungen.",
     "translations": {
         "en": ("Consumer advice centre Bavaria", "Independent advice on contracts for "
                "mobile phones, internet, electricity and insurance.", None),
         "tr": ("Bavyera Tüketici Merkezi – danışmanlık", "Cep telefonu, internet, elektrik ve "
                "sigorta sözleşmeleri hakkında bağımsız danışmanlık.", None),
         "ru": ("Центр защиты прав потребителей Баварии", "Независимые консультации по "
                "договорам на мобильную связь, интернет, электричество и страховки.", None),
         "uk": ("Центр захисту прав споживачів Баварії", "Незалежні консультації щодо "
                "договорів на мобільний зв'язок, інтернет, електроенергію та страхування.",
                None),
         "ro": ("Centrul pentru protecția consumatorilor din Bavaria", "Consiliere independentă "
                "despre contracte de telefonie mobilă, internet, electricitate și asigurări.",
                None),
         "ar": ("مركز حماية المستهلك في بافاريا", "استشارات مستقلة حول عقود الهاتف المحمول "
                "والإنترنت والكهرباء والتأمين.", None),
     }},
)

PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class DemoSummary:
    """What the demo seeding created, and the demo users' passwords (shown once)."""

    counts: dict[str, int] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)


def holds_demo_data(session: Session) -> bool:
    return session.get(InstanceSetting, DEMO_MARKER) is not None


def is_demo_instance() -> bool:
    """Whether the instance runs with WELCOME_DEMO=1, the only place demo data belongs."""
    return bool(current_app.config.get("WELCOME_DEMO")) if has_app_context() else False


def holds_other_data(session: Session) -> bool:
    """Whether anything beyond the catalogues (and their audit rows) is stored already.

    An installation that has an account, a link, a consent or a single audit entry of its own
    is in use, and fictional people and printed demo passwords have no place in it.
    """
    from welcome.models import AuditEvent, Case, Consent, FieldTopic

    for model in (Person, Case, Partner, Intake, User, Resource, Consent):
        if session.scalar(select(model.id).limit(1)) is not None:
            return True
    catalogue_rows = [model.__name__ for model in (*catalogues.CATALOGUES.values(), FieldTopic)]
    return session.scalar(
        select(AuditEvent.id)
        .where(or_(AuditEvent.entity.is_(None), AuditEvent.entity.not_in(catalogue_rows)))
        .limit(1)
    ) is not None


def demo_email(given: str, family: str) -> str:
    """given.family@example.org in plain letters (example.org never delivers mail)."""
    local = ".".join(re.sub(r"[^a-z0-9]+", "-", unidecode(part).lower()).strip("-")
                     for part in (given, family))
    return f"{local}@example.org"


def demo_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def seed_demo(session: Session, today: date | None = None, seed: int = 2026) -> DemoSummary:
    """Fill an empty database of a demo instance with the demo set.

    :raises DomainError: outside a demo instance (WELCOME_DEMO), or when the database holds
        anything beyond the catalogues.
    """
    if not is_demo_instance():
        raise DomainError(_("Demo data is only added to a demo instance (WELCOME_DEMO=1)."))
    if holds_demo_data(session) or holds_other_data(session):
        raise DomainError(_("The database is not empty; demo data is only added to an empty one."))
    builder = _DemoBuilder(session, today or date.today(), random.Random(seed))
    summary = builder.build()
    session.add(InstanceSetting(key=DEMO_MARKER, value=(today or date.today()).isoformat()))
    session.flush()
    return summary


class _DemoBuilder:
    def __init__(self, session: Session, today: date, rng: random.Random) -> None:
        self.session = session
        self.today = today
        self.rng = rng
        self.summary = DemoSummary()
        self.fields = {f.code: f for f in session.scalars(select(FieldOfAction))}
        self.languages = {lang.code: lang for lang in session.scalars(select(Language))}
        self.purposes = list(session.scalars(select(ResidencePurpose)
                                             .where(ResidencePurpose.code != "other")))
        self.types = {t.code: t for t in session.scalars(select(PartnerType))}
        self.reasons: dict[ReasonKind, list[Reason]] = {}
        for reason in session.scalars(select(Reason).order_by(Reason.sort_order)):
            self.reasons.setdefault(reason.kind, []).append(reason)
        if not self.fields or not self.languages:
            raise DomainError(_("Load the catalogues first: flask welcome seed-catalogues"))
        self.phone_counter = 0

    def build(self) -> DemoSummary:
        staff = self.users()
        partners = self.partners()
        self.resources()
        households = self.households()
        self.casework(households, partners, staff)
        self.intakes(staff, households)
        self.accepted_intakes(staff)
        self.summary.counts.update({
            "persons": self.session.scalar(select(func.count(Person.id))),
            "needs": self.session.scalar(select(func.count(Need.id))),
            "partners": len(partners),
        })
        return self.summary

    # --- people of the center -----------------------------------------------------------------

    def users(self) -> dict[Role, User]:
        names = {
            Role.COORDINATOR: ("koordination", "Katrin Berger"),
            Role.ASSISTANT: ("praktikum", "Jonas Weber"),
            Role.CLERK: ("einwohneramt", "Sabine Huber"),
            Role.IT_ADMIN: ("it", "Thomas Lang"),
            Role.BOARD: ("beirat", "Dr. Helga Maier"),
        }
        staff = {}
        for role, (username, display_name) in names.items():
            user = users.find_user(self.session, username)
            if user is None:
                password = demo_password()
                user = users.create_user(self.session, username, role, password, display_name)
                self.summary.passwords[username] = password
            staff[role] = user
        return staff

    def phone(self, mobile: bool = False) -> str:
        self.phone_counter += 1
        if mobile:
            return f"+49 171 39200{self.phone_counter % 100:02d}"
        return f"+49 89 99998{self.phone_counter % 1000:03d}"

    # --- network ------------------------------------------------------------------------------

    def partners(self) -> list[Partner]:
        result = []
        for index, (name, type_code, fields, langs, district, by_email) in enumerate(PARTNERS):
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:18]
            partner = Partner(
                name=name,
                partner_type=self.types[type_code],
                contact_person=self.rng.choice(("Frau Schmid", "Herr Bauer", "Frau Öztürk",
                                                "Herr Novak", "Frau Wagner", None)),
                street=f"{self.rng.choice(STREETS)} {index + 3}",
                postcode=f"9{2200 + index}",
                city=CITY,
                district=district,
                phone=self.phone(),
                email=f"{slug}@example.org",
                website=f"https://{slug}.example.org/",
                appointment_url=f"https://{slug}.example.org/termine" if index % 3 == 0 else None,
                opening_hours="Mo–Do 9–12 und 14–16 Uhr, Fr 9–12 Uhr",
                working_language=self.languages["en"] if type_code == "jmd" else None,
                accepts_email_handover=by_email,
                active=True,
                fields_of_action=[self.fields[code] for code in fields],
                languages=[self.languages[code] for code in langs],
            )
            self.session.add(partner)
            result.append(partner)
        self.session.flush()
        return result

    def resources(self) -> None:
        for position, entry in enumerate(RESOURCES, start=1):
            field_code = entry["field"]
            resource = Resource(
                title=entry["title"], url=entry["url"], text=entry["text"], active=True,
                field_of_action=self.fields[field_code] if field_code else None,
                sort_order=position * 10,
                translations=[
                    ResourceTranslation(language=self.languages[code], title=title, text=text,
                                        url=url)
                    for code, (title, text, url) in entry["translations"].items()],
            )
            check_resource(resource)
            self.session.add(resource)

    # --- households ---------------------------------------------------------------------------

    def households(self) -> list[tuple[Person, list[tuple[Person, MemberRelation]]]]:
        """40 households, 60 persons: singles, couples, and couples with a child."""
        shapes = ["single"] * 28 + ["family"] * 8 + ["couple"] * 4
        self.rng.shuffle(shapes)
        households = []
        for index, shape in enumerate(shapes):
            f_names, m_names, families, country, lang = ORIGINS[index % len(ORIGINS)]
            family = self.rng.choice(families)
            female = self.rng.random() < 0.5
            arrival = self.today - timedelta(days=self.rng.randint(10, 300))
            purpose = self.rng.choice(self.purposes)
            district = self.rng.choice(DISTRICTS)
            main = self.person(
                self.rng.choice(f_names if female else m_names), family, country, lang,
                Sex.FEMALE if female else Sex.MALE, arrival, purpose, district,
                born=self.today.year - self.rng.randint(22, 48),
            )
            members = []
            if shape in ("family", "couple"):
                partner = self.person(
                    self.rng.choice(m_names if female else f_names), family, country, lang,
                    Sex.MALE if female else Sex.FEMALE, arrival, purpose, district,
                    born=self.today.year - self.rng.randint(22, 48),
                )
                members.append((partner, MemberRelation.SPOUSE))
            if shape == "family":
                child = self.person(
                    self.rng.choice(CHILD_NAMES), family, country, lang,
                    self.rng.choice((Sex.FEMALE, Sex.MALE)), arrival, purpose, district,
                    born=self.today.year - self.rng.randint(1, 14), adult=False,
                )
                members.append((child, MemberRelation.CHILD))
            households.append((main, members))
        return households

    def person(self, given: str, family: str, country: str, lang: str, sex: Sex, arrival: date,
               purpose: ResidencePurpose, district: str, born: int, adult: bool = True) -> Person:
        person = Person(
            given_name=given,
            family_name=family,
            date_of_birth=date(born, self.rng.randint(1, 12), self.rng.randint(1, 28)),
            sex=sex,
            nationality=country,
            preferred_language=self.languages.get(lang),
            languages=[lang_ for code in {lang, "en", "de"} if (lang_ := self.languages.get(code))
                       and (adult or code == lang)],
            phone=self.phone(mobile=True) if adult else None,
            email=demo_email(given, family) if adult else None,
            street=f"{self.rng.choice(STREETS)} {self.rng.randint(1, 60)}",
            postcode=f"9{2220 + self.rng.randint(0, 20)}",
            city=CITY,
            district=district,
            arrival_date=arrival,
            residence_purpose=purpose,
            employer="Musterfirma Pflege GmbH" if adult and self.rng.random() < 0.3 else None,
        )
        self.session.add(person)
        return person

    # --- casework -----------------------------------------------------------------------------

    def casework(self, households: list[tuple[Person, list[tuple[Person, MemberRelation]]]],
                 partners: list[Partner], staff: dict[Role, User]) -> None:
        field_codes = [code for code in self.fields if code != "other"]
        need_plan = self.need_statuses()
        referral_plan = self.referral_states()
        responsible = [staff[Role.COORDINATOR], staff[Role.ASSISTANT]]
        for index, (main, members) in enumerate(households):
            opened = max(main.arrival_date + timedelta(days=self.rng.randint(3, 20)),
                         self.today - timedelta(days=320))
            opened = min(opened, self.today)
            case = cases.open_case(
                self.session, main,
                source=self.rng.choice(list(CaseSource)),
                status=CaseStatus.NEW if index % 10 == 0 else CaseStatus.ACTIVE,
                opened_on=opened,
                responsible=responsible[index % 2],
                follow_up_on=self.today + timedelta(days=self.rng.randint(-5, 30)),
            )
            for person, relation in members:
                cases.add_member(case, person, relation)
            if index % 10 != 0:
                self.session.add(Consultation(
                    case=case, kind=ConsultationKind.ORIENTATION, held_on=opened,
                    duration_minutes=self.rng.choice((45, 60, 75, 90)),
                    channel=self.rng.choice((ContactChannel.IN_PERSON, ContactChannel.IN_PERSON,
                                             ContactChannel.PHONE, ContactChannel.VIDEO)),
                    language=main.preferred_language if self.rng.random() < 0.4
                    else self.languages["de"],
                    interpreter_used=self.rng.random() < 0.25,
                    staff=responsible[index % 2],
                    summary="Orientierungsgespräch (Demo).",
                    follow_up_on=case.follow_up_on,
                ))
            self.session.flush()
            self.consents_for(main, partners, staff[Role.COORDINATOR], index)
            chosen = self.rng.sample(field_codes, 3)
            for position, code in enumerate(chosen):
                status = need_plan.pop() if need_plan else NeedStatus.IDENTIFIED
                concerned = None
                if members and code == "childcare_school":
                    concerned = members[-1][0]
                need = Need(
                    case=case, field_of_action=self.fields[code], person=concerned,
                    topics=self.fields[code].topics[:1],
                    priority=(Priority.HIGH, Priority.MEDIUM, Priority.LOW)[position],
                    identified_on=opened,
                )
                self.session.add(need)
                self.session.flush()
                self.progress(need, status, partners, staff[Role.COORDINATOR], referral_plan)
            if index % 13 == 12:
                self.close(case)

    @staticmethod
    def need_statuses() -> list[NeedStatus]:
        """The outcome each of the 120 needs is driven to, in every status."""
        plan = ([NeedStatus.IDENTIFIED] * 30 + [NeedStatus.IN_PROGRESS] * 20
                + [NeedStatus.REFERRED] * 35 + [NeedStatus.MET] * 20 + [NeedStatus.UNMET] * 15)
        plan.reverse()
        return plan

    @staticmethod
    def referral_states() -> list[ReferralStatus]:
        """How far each referral of a referred or met need goes."""
        return ([ReferralStatus.PLANNED] * 6 + [ReferralStatus.HANDED_OVER] * 12
                + [ReferralStatus.APPOINTMENT_MADE] * 8 + [ReferralStatus.FAILED] * 4
                + [ReferralStatus.CANCELLED] * 3)

    def progress(self, need: Need, status: NeedStatus, partners: list[Partner], by: User,
                 referral_plan: list[ReferralStatus]) -> None:
        if status == NeedStatus.IDENTIFIED:
            return
        if status == NeedStatus.UNMET:
            need.status = NeedStatus.UNMET
            need.unmet_reason = self.rng.choice(self.reasons[ReasonKind.NEED_UNMET])
            needs.check_need(need)
            return
        candidates = [p for p in partners if need.field_of_action in p.fields_of_action]
        if status == NeedStatus.IN_PROGRESS or not candidates:
            need.status = NeedStatus.IN_PROGRESS
            return
        partner = self.rng.choice(candidates)
        channel = (HandoverChannel.EMAIL if partner.accepts_email_handover
                   else self.rng.choice((HandoverChannel.PHONE, HandoverChannel.ACCOMPANIED)))
        if self.rng.random() < 0.15:
            channel = HandoverChannel.INFORMATION_ONLY
        referral = referrals.plan_referral(self.session, need, partner, channel,
                                           planned_on=need.identified_on)
        target = ReferralStatus.COMPLETED if status == NeedStatus.MET else (
            referral_plan.pop() if referral_plan else ReferralStatus.HANDED_OVER)
        if target == ReferralStatus.PLANNED:
            return
        if target == ReferralStatus.CANCELLED and self.rng.random() < 0.5:
            referrals.record_outcome(referral, ReferralStatus.CANCELLED, need.identified_on,
                                     self.reasons[ReasonKind.REFERRAL_FAILED][3])
            return
        categories = [DataCategory.NAME, DataCategory.CONTACT, DataCategory.PREFERRED_LANGUAGE,
                      DataCategory.NEED]
        handed_on = min(need.identified_on + timedelta(days=2), self.today)
        try:
            referrals.hand_over(self.session, referral, channel, categories, by=by,
                                at=datetime.combine(handed_on, time(10), UTC))
        except DomainError:
            return
        if target == ReferralStatus.HANDED_OVER:
            return
        if target in (ReferralStatus.APPOINTMENT_MADE, ReferralStatus.COMPLETED):
            referrals.record_outcome(referral, ReferralStatus.APPOINTMENT_MADE,
                                     self.day_after(handed_on, 5))
        if target == ReferralStatus.COMPLETED:
            referrals.record_outcome(referral, ReferralStatus.COMPLETED,
                                     self.day_after(handed_on, 9))
        elif target in (ReferralStatus.FAILED, ReferralStatus.CANCELLED):
            referrals.record_outcome(referral, target, self.day_after(handed_on, 7),
                                     self.rng.choice(self.reasons[ReasonKind.REFERRAL_FAILED][:4]))

    def day_after(self, day: date, days: int) -> date:
        return min(day + timedelta(days=days), self.today)

    def consents_for(self, person: Person, partners: list[Partner], by: User, index: int) -> None:
        """Most people consent to handovers; some consents expire, run out soon or are withdrawn."""
        if index % 9 == 8:
            return
        given_on = self.today - timedelta(days=self.rng.randint(20, 200))
        valid_until = None
        if index % 11 == 3:
            valid_until = self.today - timedelta(days=5)
            given_on = valid_until - timedelta(days=180)
        elif index % 11 == 5:
            valid_until = self.today + timedelta(days=12)
        consent = consents.give_consent(
            self.session, person,
            purpose=ConsentPurpose.SHARE_WITH_PARTNERS,
            given_how=ConsentMethod.SIGNED_PAPER,
            form_version="2026-1",
            form_language=self.languages["de"],
            given_on=given_on,
            partner_types=list(self.types.values()) if index % 2 else [],
            partners=partners if not index % 2 else [],
            categories=[DataCategory.NAME, DataCategory.CONTACT,
                        DataCategory.PREFERRED_LANGUAGE, DataCategory.NEED],
            channels=[HandoverChannel.EMAIL, HandoverChannel.PHONE, HandoverChannel.ACCOMPANIED],
            valid_until=valid_until,
            recorded_by=by,
        )
        consents.give_consent(
            self.session, person,
            purpose=ConsentPurpose.CONTACT_BY_CENTER,
            given_how=ConsentMethod.VERBAL_WITH_WITNESS,
            witness="Sabine Huber (Einwohneramt)",
            form_version="2026-1",
            form_language=self.languages["de"],
            given_on=given_on,
            recorded_by=by,
        )
        if index % 17 == 16:
            consents.withdraw_consent(self.session, consent, self.today - timedelta(days=2),
                                      WithdrawalMethod.IN_WRITING)

    def close(self, case: Any) -> None:
        for need in case.needs:
            if need.status in NeedStatus.open_statuses():
                need.status = NeedStatus.MET
                needs.check_need(need)
        cases.close_case(case, self.today - timedelta(days=1),
                         self.reasons[ReasonKind.CASE_CLOSED][0])

    # --- intakes ------------------------------------------------------------------------------

    def intakes(self, staff: dict[Role, User],
                households: list[tuple[Person, list[tuple[Person, MemberRelation]]]]) -> None:
        """Intakes in every status, spread over the last weeks. Two open ones are possible
        duplicates (a known person spelt differently, and one resident logged twice); one was
        accepted into a new case, one recognised as a person the center already advises."""
        clerk = staff[Role.CLERK]
        known, advised = households[2][0], households[5][0]
        entries = (
            ("Hana", "Novaková", IntakeStatus.NEW), ("Yusuf", "Çelik", IntakeStatus.NEW),
            ("Marta", "Kowalczyk", IntakeStatus.NEW), ("Daniel", "Oliveira", IntakeStatus.NEW),
            ("Anh", "Le", IntakeStatus.CONTACTED), ("Ilir", "Hoxha", IntakeStatus.CONTACTED),
            ("Fatima", "Benali", IntakeStatus.REJECTED), ("Georgi", "Ivanov", IntakeStatus.NEW),
            ("Georgij", "Iwanow", IntakeStatus.NEW),
            (known.given_name, unidecode(known.family_name).upper(), IntakeStatus.NEW),
            ("Mariana", "Ferreira Lima", IntakeStatus.ACCEPTED),
            (advised.given_name, advised.family_name, IntakeStatus.DUPLICATE),
        )
        now = datetime.now(UTC)
        previous_phone = None
        for position, (given, family, status) in enumerate(entries):
            decided = status in (IntakeStatus.ACCEPTED, IntakeStatus.DUPLICATE)
            intake = Intake(
                given_name=given, family_name=family,
                date_of_birth=date(1985 + position, 1 + position, 10 + position),
                phone=self.phone(mobile=True),
                email=demo_email(given, family),
                preferred_language=self.languages["en"],
                residence_purpose=self.rng.choice(self.purposes),
                household_size=1 + position % 3,
                office=(IntakeOffice.REGISTRATION_OFFICE, IntakeOffice.FOREIGNERS_AUTHORITY)[
                    position % 2],
                consent_to_contact=True,
                status=IntakeStatus.NEW if decided else status,
                created_by=clerk,
                created_at=now - timedelta(days=len(entries) - position, hours=position),
                note="Wünscht Beratung zur Wohnungssuche." if position % 2 else None,
            )
            for person in (known, advised):
                if given == person.given_name:
                    intake.date_of_birth = person.date_of_birth
            if given == "Georgij":
                intake.phone = previous_phone
            if status == IntakeStatus.CONTACTED:
                intake.contacted_on = self.today - timedelta(days=position)
                intake.contacted_channel = ContactChannel.PHONE
            if status == IntakeStatus.REJECTED:
                intake.decision_reason = self.reasons[ReasonKind.INTAKE_REJECTED][1]
            self.session.add(intake)
            flag_duplicates(self.session, intake)
            if status == IntakeStatus.ACCEPTED:
                triage.accept_intake(self.session, intake, staff[Role.COORDINATOR])
            elif status == IntakeStatus.DUPLICATE:
                triage.merge_into_person(self.session, intake, advised,
                                         by=staff[Role.COORDINATOR])
            previous_phone = intake.phone

    def accepted_intakes(self, staff: dict[Role, User]) -> None:
        """The intakes that cases from the offices came from, logged a few days before the case
        was opened (so monitoring can tell how long people waited for their first talk)."""
        zone = ZoneInfo(DEMO_TIMEZONE)
        offices = {CaseSource.REGISTRATION_OFFICE: IntakeOffice.REGISTRATION_OFFICE,
                   CaseSource.FOREIGNERS_AUTHORITY: IntakeOffice.FOREIGNERS_AUTHORITY}
        for case in self.session.scalars(
                select(Case).where(Case.source.in_(offices)).order_by(Case.id)):
            person = case.main_person
            logged = datetime.combine(case.opened_on - timedelta(days=self.rng.randint(1, 12)),
                                      time(self.rng.randint(8, 15), 30), zone)
            self.session.add(Intake(
                given_name=person.given_name, family_name=person.family_name,
                date_of_birth=person.date_of_birth, phone=person.phone, email=person.email,
                preferred_language=person.preferred_language,
                residence_purpose=person.residence_purpose,
                household_size=1 + len(case.members), office=offices[case.source],
                consent_to_contact=True, status=IntakeStatus.ACCEPTED,
                created_by=staff[Role.CLERK], created_at=logged.astimezone(UTC),
                case=case, person=person,
            ))
