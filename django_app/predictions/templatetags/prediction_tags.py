"""Template filters shared with the Flask app's Jinja filters, so both pages show the same text."""

from django import template

from shared_web import display as web

register = template.Library()

register.filter("display_time", web.display_time)
register.filter("number", web.number)
register.filter("percent", web.percent)
register.filter("share", web.share)
