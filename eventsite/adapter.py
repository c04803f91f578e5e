from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """Kết Nối's allauth hooks."""

    def send_mail(self, template_prefix, email, context):
        # Without django.contrib.sites the "site name" in emails would be the host name; people know
        # the service as Kết Nối. Emails go out in the language the visitor is using (Vietnamese by default).
        site = context.get("current_site") or get_current_site(allauth_context.request)
        context = {**context, "current_site": SimpleNamespace(name="Kết Nối", domain=site.domain)}
        with translation.override(translation.get_language() or "vi"):
            super().send_mail(template_prefix, email, context)
