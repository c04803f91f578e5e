"""Small template helpers to lay out forms field by field."""

from django import template

register = template.Library()


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    return form[name]
