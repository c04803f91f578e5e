from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Kết Nối's allauth hooks: new sign-ups keep the name they typed, emails go out in the visitor's language."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        full_name = form.cleaned_data.get("full_name", "")
        if full_name:
            user.full_name = full_name
        if commit:
            user.save()
        return user
