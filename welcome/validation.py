"""Format checks for contact data, shared by every form and import."""

from typing import Any

import phonenumbers
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import URL, Email

#: Numbers without a country code are read as German numbers.
DEFAULT_REGION = "DE"


#: Numbers already normalised (raw and normalised form): an arrival list checks each number
#: in the preview, again on import, and in its normalised form. Bounded; not a store.
_NORMALISED: dict[str, str] = {}
_NORMALISED_MAX = 20_000


def normalise_phone(raw: str) -> str:
    """The number in international format (+49 …).

    A number must be valid by the numbering plan of its country (libphonenumber's
    ``is_valid_number``): "123", "0000000000" or "+49 1234" have a possible length but belong
    to no real range. Letters are refused, although libphonenumber would read "0171 FLOWERS"
    as a vanity number.

    :raises ValueError: when it is not a plausible phone number.
    """
    known = _NORMALISED.get(raw)
    if known is not None:
        return known
    if any(char.isalpha() for char in raw):
        raise ValueError("letters in a phone number")
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    result = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if len(_NORMALISED) < _NORMALISED_MAX:
        _NORMALISED[raw] = _NORMALISED[result] = result
    return result


class PhoneNumber:
    """A plausible phone number, German or international; stored in international format."""

    message = _l("Enter a phone number, e.g. 09621 123456 or +90 532 123 4567.")

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            return
        try:
            field.data = normalise_phone(field.data)
        except ValueError as error:
            raise ValidationError(str(self.message)) from error


class EmailAddress:
    """A syntactically valid e-mail address (no DNS lookup: the office may be offline)."""

    message = _l("Enter an e-mail address, e.g. name@example.org.")

    def __call__(self, form: Any, field: Any) -> None:
        if field.data:
            Email(message=str(self.message))(form, field)


def email_address() -> EmailAddress:
    return EmailAddress()


class WebAddress:
    """A public http(s) address; other schemes (javascript:, file:) are refused."""

    message = _l("Enter a web address beginning with https://.")

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            return
        if not is_web_address(field.data):
            raise ValidationError(str(self.message))
        URL(require_tld=True, message=str(self.message))(form, field)


def web_address() -> WebAddress:
    return WebAddress()


def is_web_address(value: str | None) -> bool:
    """Whether a stored link may be rendered as a link (http or https only)."""
    return bool(value) and value.lower().startswith(("https://", "http://"))
