"""Exhibitor applications: the producer's form (and its products), and the organizer's review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.forms import ProductForm
from catalog.models import Product
from eventsite.access import ORGANIZER, event_view
from eventsite.errors import DomainError
from eventsite.numbers import id_or_none

from ..forms import PREFERENCE_SLOTS, ApplicationForm
from ..models import ApplicationStatus, ExhibitorApplication, OrganizationRevision, RevisionStatus
from ..selectors import application_of, certificate_lapses_before_event, event_last_day
from ..services import applications as svc


def _initial(application, user) -> dict:
    if application is None:
        return {"contact_name": user.full_name, "contact_email": user.email, "contact_phone": user.phone}
    org = application.organization
    # A change waiting for the organizer is what the exhibitor last asked for: show it, so saving the form again
    # keeps it instead of withdrawing it.
    identity = svc.pending_revision(org) or org
    initial = {
        "org_name": identity.name, "org_kind": identity.kind, "tax_code": identity.tax_code,
        "province_code": org.province_code,
        "address": org.address, "contact_name": application.contact_name, "contact_phone": application.contact_phone,
        "contact_email": application.contact_email, "booths_wanted": application.booths_wanted,
        "note": application.note, "products": list(application.products.values_list("pk", flat=True)),
    }
    for pref in application.preferences.all()[:PREFERENCE_SLOTS]:
        value = f"b:{pref.booth_id}" if pref.booth_id else f"z:{pref.zone_id}" if pref.zone_id else f"k:{pref.kind}"
        initial[f"pref_{pref.rank}"] = value
    return initial


@login_required
@event_view()
def apply(request):
    event = request.event
    application = application_of(request.user, event)
    org = application.organization if application else None
    form = ApplicationForm(request.POST or None, event=event, organization=org,
                           initial=_initial(application, request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            application = svc.submit_application(
                event=event, user=request.user,
                producer=svc.ProducerDetails(d["org_name"], d["org_kind"], d["tax_code"], d["province_code"],
                                             d["address"]),
                contact=svc.Contact(d["contact_name"], d["contact_phone"], d["contact_email"]),
                products=list(d["products"]), wishes=form.preferences(), booths_wanted=d["booths_wanted"],
                note=d["note"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your application is saved. Add your OCOP products below if needed."))
            if application.pending_revision is not None:
                messages.info(request, _("Your new name, tax code or type waits for the organizer's approval. "
                                         "Until then your approved details stay on the floor plan and in "
                                         "the catalog."))
            return redirect("booths:apply", event_slug=event.slug)
    products = list(Product.objects.filter(producer=org).order_by("name")) if org else []
    return render(request, "booths/apply.html", {
        "form": form, "application": application, "products": products, "today": timezone.localdate(),
        "pending_revision": svc.pending_revision(org) if org else None})


@login_required
@event_view()
def product_edit(request, product_id: int | None = None):
    event = request.event
    application = application_of(request.user, event)
    if application is None:
        messages.info(request, _("Fill in your application first, then add products."))
        return redirect("booths:apply", event_slug=event.slug)
    org = application.organization
    product = get_object_or_404(Product, pk=product_id, producer=org) if product_id else None
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.save_product(form=form, organization=org)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            application.products.add(saved)
            messages.success(request, _("Product “%(name)s” saved.") % {"name": saved.name})
            if certificate_lapses_before_event(saved, event):
                messages.warning(request, certificate_warning(saved, event))
            return redirect("booths:apply", event_slug=event.slug)
    warning = certificate_warning(product, event) if product and certificate_lapses_before_event(product, event) \
        else ""
    return render(request, "booths/product_form.html", {"form": form, "product": product,
                                                        "certificate_warning": warning})


def certificate_warning(product: Product, event) -> str:
    return _("The OCOP certificate of “%(name)s” expires on %(expires)s, before the event ends on %(end)s: the "
             "product will not be shown as OCOP-rated for the whole event. Renew the certificate or correct its "
             "dates.") % {"name": product.name, "expires": date_format(product.certificate_expires_on,
                                                                        "SHORT_DATE_FORMAT"),
                          "end": date_format(event_last_day(event), "SHORT_DATE_FORMAT")}


@event_view(roles=ORGANIZER)
def review_list(request):
    status = request.GET.get("status", "")
    pending = OrganizationRevision.objects.filter(status=RevisionStatus.PENDING)
    applications = (ExhibitorApplication.objects.filter(event=request.event).select_related("organization")
                    .prefetch_related("products", "preferences__booth", "preferences__zone",
                                      Prefetch("identity_revisions", queryset=pending, to_attr="pending_revisions")))
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    return render(request, "booths/review_list.html", {
        "applications": applications, "status": status, "statuses": ApplicationStatus.choices,
        "today": timezone.localdate()})


@require_POST
@event_view(roles=ORGANIZER)
def decide(request, application_id: int, decision: str):
    application = get_object_or_404(ExhibitorApplication, pk=application_id, event=request.event)
    try:
        if decision == "approve":
            svc.approve_application(application=application, by_user=request.user)
            messages.success(request, _("%(org)s approved.") % {"org": application.organization.name})
        elif decision == "reject":
            svc.reject_application(application=application, by_user=request.user,
                                   reason=request.POST.get("reason", ""))
            messages.success(request, _("%(org)s rejected.") % {"org": application.organization.name})
        elif decision in ("identity-approve", "identity-reject"):
            revision = get_object_or_404(OrganizationRevision, application=application,
                                         status=RevisionStatus.PENDING, pk=id_or_none(request.POST.get("revision")))
            if decision == "identity-approve":
                svc.approve_identity_revision(revision=revision, by_user=request.user)
                messages.success(request, _("The new name “%(name)s” is approved.") % {"name": revision.name})
            else:
                svc.reject_identity_revision(revision=revision, by_user=request.user)
                messages.success(request, _("The change to “%(name)s” is rejected; %(org)s keeps its approved "
                                            "name.") % {"name": revision.name, "org": application.organization.name})
        else:
            raise Http404("No such decision")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("booths:applications", event_slug=request.event.slug)
