"""Forms in USWDS style: widget classes, the error modifier, errors put back on the fields they name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.forms.widgets import Widget
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.RadioSelect: "usa-radio__input",
    forms.Select: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
}


class UswdsBoundField(BoundField):
    """Render a field's widget with USWDS's error modifier when the field has errors.

    Django already adds ``aria-invalid`` and points ``aria-describedby`` at ``<id>_helptext`` and
    ``<id>_error``; ``templates/includes/field.html`` renders elements with exactly those ids.
    """

    def build_widget_attrs(
        self, attrs: dict[str, str | bool], widget: Widget | None = None
    ) -> dict[str, str | bool]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and not widget.is_hidden:
            # USWDS has one error modifier for inputs, selects and textareas alike.
            attrs["class"] = f"{widget.attrs.get('class', '')} usa-input--error".strip()
        return attrs


# The mixin goes before a Django form class; to the type checker it is one, so its methods may use
# the form's fields and errors. At run time it derives from object, as mixins do.
if TYPE_CHECKING:
    _Form = forms.BaseForm
else:
    _Form = object


class UswdsFormMixin(_Form):
    """Give a form's widgets USWDS classes and render its errors in USWDS style."""

    bound_field_class: type[BoundField] | None = UswdsBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if self.is_bound:
                # Sent back, a form's error summary takes the focus (static/js/site.js), not the field
                # a fresh form starts in (Django's sign-in form autofocuses the username).
                widget.attrs.pop("autofocus", None)
            if widget.is_hidden:
                continue
            css = next((c for cls, c in _WIDGET_CLASSES.items() if isinstance(widget, cls)), "usa-input")
            widget.attrs.setdefault("class", css)

    def add_action_errors(self, error: ValidationError) -> None:
        """Put an actions-layer ``ValidationError`` on the fields it names; the rest on the form."""
        messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, texts in messages.items():
            target = name if name in self.fields else None
            for text in texts:
                self.add_error(target, text)

    def add_errors_not_yet_shown(self, errors: dict[str, list[str]]) -> None:
        """Put the actions layer's ``errors`` on this form's fields that have none yet.

        For a form that did not parse whole: the action is asked about the fields that did, so the
        page shows every error at once. Errors of the whole form are left out, since they may come
        from what did not parse (a date missing from what was asked).
        """
        for name, texts in errors.items():
            if name in self.fields and name not in self.errors:
                for text in texts:
                    self.add_error(name, text)


class UswdsForm(UswdsFormMixin, forms.Form):
    """A plain form in USWDS style."""


class DateInput(forms.DateInput):
    """The browser's own date control: works without JavaScript and submits ISO dates."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class Select(forms.Select):
    """A select rendered in Python, as Django's template renders it but without a template per option.

    For a page with many of them: the review page's 82 directives of EO 14028 have two selects each,
    and rendering their options through templates took about 0.8 s of the page's 1.4 s. For many
    options: the list filters' two selects of 100 agencies were a third of the All directives page's
    time. Option groups and per-option attributes are not rendered: use Django's ``Select`` for those.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )
