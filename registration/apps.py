from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem, NavSection, ReportKind, Stat

_ORGANIZER = frozenset({"organizer"})
_ATTENDEES = frozenset({"buyer", "exhibitor", "speaker"})


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Registration and badges")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        # The public sign-up form: desk staff and people already registered (buyers) or exhibiting have no use
        # for it; organizers keep it to see what their visitors see.
        NavItem(_("Register"), "registration:signup", roles=None, order=20, section=NavSection.PEOPLE,
                hidden_from=frozenset({"desk_staff", "buyer", "exhibitor"})),
        NavItem(_("Registrations"), "registration:list", roles=_ORGANIZER, order=25, section=NavSection.PEOPLE),
        NavItem(_("Registration settings"), "registration:settings", roles=_ORGANIZER, order=26,
                section=NavSection.SETUP),
        NavItem(_("Print badges"), "registration:badge_print", roles=_ORGANIZER, order=72,
                section=NavSection.CHECKIN),
        NavItem(_("My badge"), "registration:my_badge", roles=_ATTENDEES, order=73),
        NavItem(_("My registration"), "registration:my_event", roles=_ATTENDEES, order=74),
    ]

    activity_actions = {
        "registration.contact_consent": _("Consent to share contact details answered"),
        "registration.badge_key_reencrypted": _("Badge signing key re-encrypted"),
        "registration.signed_up": _("Registered"),
        "registration.email_claimed": _("Email address confirmed by the registrant"),
        "registration.pending": _("Registration set to awaiting approval"),
        "registration.approved": _("Registration approved"),
        "registration.waitlisted": _("Registration put on the waiting list"),
        "registration.rejected": _("Registration rejected"),
        "registration.cancelled": _("Registration cancelled"),
        "registration.account_linked": _("Registration linked to the account owning its email address"),
        "registration.organization_matched": _("Buyer's company matched to a known organization"),
        "registration.organization_created": _("Buyer's company added as an organization"),
        "registration.buyer_role_granted": _("Buyer role given"),
        "registration.buyer_role_removed": _("Buyer role taken away"),
    }

    def ready(self):
        from allauth.account.signals import email_confirmed

        from .services import (
            badge_changes,  # noqa: F401  (badge list change numbers)
            tokens,  # noqa: F401  (a changed or deleted key row clears the key cache)
        )

        # An address verified on any allauth path (link, code, password reset) links that person's registrations
        # and gives their roles; the adapter's confirm_email does not see every path, the signal does.
        from .services.roles import on_email_confirmed

        email_confirmed.connect(on_email_confirmed, dispatch_uid="registration-link-on-email-confirmed")

    def event_copy_parts(self):
        from eventsite.apps import CopyPart

        from .setup import copy_registration_settings

        return [CopyPart("registration", _("Registration settings and questions"), copy_registration_settings,
                         order=20)]

    def setup_checks(self, event):
        from .setup import setup_checks

        return setup_checks(event)

    def report_kinds(self) -> dict[str, ReportKind]:
        from .services import exports

        return {
            "registrations_csv": ReportKind(_("Registrations (CSV)"), exports.build_csv_report,
                                            exports.report_params),
            "registrations_xlsx": ReportKind(_("Registrations (Excel XLSX)"), exports.build_xlsx_report,
                                             exports.report_params),
        }

    def event_stats(self, event):
        from django.urls import reverse

        from .models import RegistrationStatus
        from .services.registrations import counts_by_status

        counts = counts_by_status(event)
        url = reverse("registration:list", kwargs={"event_slug": event.slug})
        shown = [RegistrationStatus.PENDING, RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED]
        labels = {
            RegistrationStatus.PENDING: _("registrations awaiting approval"),
            RegistrationStatus.APPROVED: _("approved registrations"),
            RegistrationStatus.WAITLISTED: _("on the waiting list"),
        }
        return [Stat(labels[s], counts[s], url=f"{url}?status={s}", order=31 + i) for i, s in enumerate(shown)]

    def official_report_sections(self, event):
        """This app's part of the official report and open data (reporting/)."""
        from .official_report import buyers_section

        return [buyers_section(event)]
