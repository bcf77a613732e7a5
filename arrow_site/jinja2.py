"""The Jinja2 engine of the public pages: compiled once, where Django's engine walks a node tree per
render. Its globals and filters are the few Django tags and filters the templates use, same names."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import defaultfilters
from django.template.backends import jinja2 as django_jinja2
from django.test.signals import template_rendered
from django.urls import reverse
from jinja2 import Environment, pass_context

from authors.templatetags.arrow_authors import row_label
from papers.templatetags.arrow_meta import absolute_url, author_jsonld, paper_jsonld
from papers.text import plain_text, rich_text, safe_href, split_abstract


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def querystring(request, **changes) -> str:
    """Django's `{% querystring %}`: the request's query string with `changes` (None removes a key)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}"


def widget_context(field) -> dict:
    """The `widget` context Django's widget templates get, with BoundField.as_widget's attributes, so
    _widgets.html draws every input in one template instead of a template per input and option."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.get_context(field.html_name, field.value(), attrs)["widget"]


def _with_context(tag):
    return pass_context(lambda context, *args: tag(context, *args))


def environment(**options) -> Environment:
    # Always escaped, whatever the settings say: imported text is data, never markup.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals.update(
        url=url,
        static=staticfiles_storage.url,
        querystring=querystring,
        absolute_url=_with_context(absolute_url),
        paper_jsonld=_with_context(paper_jsonld),
        author_jsonld=_with_context(author_jsonld),
    )
    env.filters.update(
        intcomma=intcomma,
        pluralize=defaultfilters.pluralize,
        date=defaultfilters.date,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
        rich_text=rich_text,
        plain_text=plain_text,
        split_abstract=split_abstract,
        safe_href=safe_href,
        row_label=row_label,
        widget_context=widget_context,
    )
    return env


class Template(django_jinja2.Template):
    def render(self, context=None, request=None):
        context = {} if context is None else context
        # As Django's engine does in tests, so the test client sees a Jinja2 page's context.
        content = super().render(context, request)
        template_rendered.send(sender=self, template=self, context=context)
        return content

    @property
    def name(self) -> str:
        return self.template.name


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend, whose templates also send `template_rendered` (see Template)."""

    def get_template(self, template_name):
        return Template(super().get_template(template_name).template, self)
