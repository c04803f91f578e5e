from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """Kết Nối's allauth hooks."""

    def send_mail(self, template_prefix, email, context):
        # Account emails go out in the language the visitor is using (Vietnamese unless they switched).
        with translation.override(translation.get_language() or "vi"):
            super().send_mail(template_prefix, email, context)
