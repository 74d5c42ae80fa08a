"""Form fields the admin needs beyond what Flask-Admin scaffolds."""

from collections.abc import Iterable
from enum import Enum
from typing import Any

from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
from flask_admin.model.fields import AjaxSelectField, AjaxSelectMultipleField
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import Field, FileField, HiddenField, ValidationError
from wtforms.fields import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget, html_params

from welcome.models import LabelledEnum

BLANK = ("", "__None")


def enum_choices(enum_class: type[LabelledEnum]) -> list[SelectChoice]:
    """Options with lazy labels: the label is translated when the form is rendered."""
    return [SelectChoice(member.value, member._label) for member in enum_class]


class EnumSelectField(SelectField):
    """A select over a labelled enumeration that hands the form the enum member."""

    def __init__(self, label: Any = None, enum_class: type[LabelledEnum] | None = None,
                 allow_blank: bool = False, **kwargs: Any) -> None:
        assert enum_class is not None
        self.enum_class = enum_class
        choices = enum_choices(enum_class)
        if allow_blank:
            choices = [SelectChoice("", "—"), *choices]
        super().__init__(label, choices=choices, coerce=self._coerce, **kwargs)

    def _coerce(self, value: Any) -> Any:
        if value in (None, ""):
            return None
        if isinstance(value, Enum):
            return value
        return self.enum_class(value)


def _not_offered(count: int = 1) -> str:
    return _("Choose one of the offered entries.")


def _only_offered(count: int = 1) -> str:
    return _("Choose only among the offered entries.")


class ChoiceField(SelectField):
    """A select whose wrong values are refused in the user's language (WTForms' own messages
    are partly missing in German)."""

    def process_formdata(self, valuelist: Any) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_not_offered()) from error

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(_not_offered()) from error


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; a value that was not offered is refused in the user's
    language (WTForms' own German message for it is missing)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", _only_offered)
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist: Any) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_only_offered()) from error


class CheckboxList:
    """Bootstrap checkboxes, one per option, in a plain box.

    Flask-Admin gives every field the ``form-control`` class, which sizes the box like a
    one-line input so the options spill over the fields below; this widget drops it.
    """

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        given = f"{kwargs.pop('class', '')} {kwargs.pop('class_', '')}".split()
        classes = " ".join(["checkbox-list", *(c for c in given if c != "form-control")])
        options = "".join(
            Markup('<div class="form-check">{} {}</div>').format(
                option(class_="form-check-input"), option.label(class_="form-check-label"))
            for option in field
        )
        return Markup("<div {}>{}</div>").format(Markup(html_params(class_=classes, **kwargs)),
                                                 Markup(options))


class EnumMultipleField(CheckboxesField):
    """Several values of a labelled enumeration (data categories, channels …), as checkboxes.

    :param members: the members offered, when not all of the enumeration make sense here.
    """

    widget = CheckboxList()

    def __init__(self, label: Any = None, enum_class: type[LabelledEnum] | None = None,
                 members: Iterable[LabelledEnum] | None = None, **kwargs: Any) -> None:
        assert enum_class is not None
        self.enum_class = enum_class
        choices = [SelectChoice(m.value, m._label) for m in members or enum_class]
        super().__init__(label, choices=choices, coerce=enum_class, **kwargs)


class UploadField(FileField):
    """A file the view hands to a service; never written to the record as it is."""

    def populate_obj(self, obj: Any, name: str) -> None:
        return None


class VersionField(HiddenField):
    """The version an edit form was rendered with; checked, never written to the record."""

    def populate_obj(self, obj: Any, name: str) -> None:
        return None


class StrictSelectMixin:
    """An id that matches no record is an error, not a silently empty choice."""

    _submitted = False

    def process_formdata(self, valuelist: Any) -> None:
        self._submitted = bool(valuelist) and valuelist[0] not in BLANK
        super().process_formdata(valuelist)

    def pre_validate(self, form: Any) -> None:
        if self._submitted and self.data is None:
            raise ValidationError(_("Choose one of the offered entries."))
        super().pre_validate(form)


class StrictQuerySelectField(StrictSelectMixin, QuerySelectField):
    pass


class StrictAjaxSelectField(StrictSelectMixin, AjaxSelectField):
    pass


class StrictMultipleMixin:
    """Several ids, each of which must match an offered record.

    Flask-Admin's multiple selects look at unknown ids only after validation has passed and
    then drop them silently; here the submitted ids are resolved first, and one that matches
    nothing refuses the whole form.
    """

    _invalid_formdata: bool

    def pre_validate(self, form: Any) -> None:
        self.data  # noqa: B018 - resolving the ids is what marks unknown ones
        if self._invalid_formdata:
            raise ValidationError(_("Choose only among the offered entries."))
        super().pre_validate(form)  # type: ignore[misc]


class StrictQuerySelectMultipleField(StrictMultipleMixin, QuerySelectMultipleField):
    pass


class StrictAjaxSelectMultipleField(StrictMultipleMixin, AjaxSelectMultipleField):
    def process_formdata(self, valuelist: Any) -> None:
        """The picker sends an empty string when nothing is chosen; that clears the field."""
        super().process_formdata(valuelist)
        self._formdata.discard("")
        if valuelist and not self._formdata:
            self._set_data([])
