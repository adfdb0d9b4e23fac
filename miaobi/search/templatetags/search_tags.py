from django import template

from ..snippets import highlight as highlight_terms

register = template.Library()


@register.filter
def highlight(text, terms):
    return highlight_terms(str(text), list(terms or []))
