"""The template filters of shared_web/display.py, so both apps' pages show numbers and times
alike (docs/spec.md#46-numbers-and-times-on-pages).

A template builtin (settings.TEMPLATES' `OPTIONS["builtins"]`): every template has these
filters without a `{% load %}`.
"""

from django import template

from shared_web import display as web

register = template.Library()

register.filter("display_time", web.display_time)
register.filter("number", web.number)
register.filter("percent", web.percent)
register.filter("share", web.share)
