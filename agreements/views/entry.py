"""Agreement pages: list, fast entry / self-submission, detail with audit trail, edit, verify, status, scan."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from eventsite.access import event_view
from eventsite.errors import DomainError
from eventsite.models import EventRole, Organization
from eventsite.numbers import INT32_MAX, NumberError, id_list, id_or_none, parse_int
from eventsite.provinces import fold
from matchmaking.models import Meeting

from .. import services
from ..forms import (
    MAX_PARTIES,
    MAX_SIGNATORIES,
    AgreementForm,
    QuickOrganizationForm,
    ReasonForm,
    StatusForm,
    initial_from_agreement,
)
from ..models import Agreement, AgreementParty, Signatory
from ..services import followup
from ..services.uploads import safe_filename

Role = EventRole.Role
MEMBERS = frozenset({Role.ORGANIZER, Role.EXHIBITOR, Role.BUYER})
PAGE_SIZE = 50


def is_organizer(request) -> bool:
    return Role.ORGANIZER in request.event_roles


def _visible(request):
    return services.visible_agreements(event=request.event, user=request.user, roles=request.event_roles)


def _get_visible(request, pk: int) -> Agreement:
    agreement = _visible(request).filter(pk=pk).select_related("event", "submitted_by_org").first()
    if agreement is None:
        raise Http404("No such agreement")
    return agreement


def _with_parties(qs):
    return qs.select_related("event").prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.select_related("organization").prefetch_related(
            Prefetch("signatories", queryset=Signatory.objects.order_by("id")))),
    )


@event_view(roles=MEMBERS)
def agreement_list(request):
    qs = _visible(request)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    verification = request.GET.get("verification", "")
    if q:
        for word in fold(q).split():
            qs = qs.filter(Q(title__icontains=word) | Q(parties__organization__search_text__contains=word))
        qs = qs.distinct()
    if kind in Agreement.Kind.values:
        qs = qs.filter(kind=kind)
    if status in Agreement.Status.values:
        qs = qs.filter(status=status)
    if verification in Agreement.Verification.values:
        qs = qs.filter(verification=verification)
    page = Paginator(_with_parties(qs.order_by("-signed_at", "-id")), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agreements/list.html", {
        "page": page, "q": q, "kind": kind, "status": status, "verification": verification,
        "kinds": Agreement.Kind.choices, "statuses": Agreement.Status.choices,
        "verifications": Agreement.Verification.choices, "organizer": is_organizer(request),
        "unverified_count": services.unverified_organizations(request.event).count() if is_organizer(request) else 0,
        "querystring": urlencode({k: v for k, v in (("q", q), ("kind", kind), ("status", status),
                                                     ("verification", verification)) if v}),
    })


def _initial_from_get(request) -> dict:
    """Prefill from GET: ?buyer=&seller=&products=1,2 (matchmaking); ?kind=&signed_at=&ceremony_ref= (add another)."""
    get = request.GET
    initial: dict = {"signed_at": timezone.localtime().replace(second=0, microsecond=0)}
    buyer_id, seller_id = id_or_none(get.get("buyer")), id_or_none(get.get("seller"))
    product_ids = id_list(get.get("products", "").replace(" ", "").split(",")) + id_list(get.getlist("product"))
    buyer = Organization.objects.filter(pk=buyer_id).first() if buyer_id else None
    seller = Organization.objects.filter(pk=seller_id).first() if seller_id else None
    if buyer and seller:
        initial.update(services.prefill_from_meeting(event=request.event, buyer_org=buyer, producer_org=seller,
                                                     product_ids=product_ids))
    elif seller or buyer:
        org = seller or buyer
        initial["parties"] = [{"organization": org.pk, "role": "seller" if seller else "buyer"}]
    if (meeting := _entry_meeting(request, get.get("meeting", ""))) is not None:
        initial["meeting"] = meeting.pk
    if get.get("kind") in Agreement.Kind.values:
        initial["kind"] = get["kind"]
    if (session_id := id_or_none(get.get("session"))) is not None:  # the select only offers this event's sessions
        initial["ceremony_session"] = session_id
    if get.get("ceremony_ref"):
        initial["ceremony_ref"] = get["ceremony_ref"][:100]
    if get.get("signed_at"):
        field = AgreementForm.base_fields["signed_at"]
        with contextlib.suppress(ValidationError):  # a bad prefill value is simply ignored
            initial["signed_at"] = field.clean(get["signed_at"])
    if not is_organizer(request):
        own = services.member_org_ids(request.user, request.event)
        parties = initial.get("parties") or []
        if own and not any(p.get("organization") in own for p in parties[:2]):
            org_id = sorted(own)[0]
            role = EventRole.objects.filter(event=request.event, user=request.user, organization_id=org_id).first()
            first = {"organization": org_id, "role": "buyer" if role and role.role == Role.BUYER else "seller"}
            initial["parties"] = [first, *parties[1:]]
    return initial


def _entry_meeting(request, value):
    """The B2B meeting an entry comes from: one of this event's, and the person entering it is one of its
    sides or an organizer; anything else is ignored (None)."""
    meeting_id = id_or_none(value)
    if meeting_id is None:
        return None
    meeting = Meeting.objects.filter(event=request.event, pk=meeting_id).first()
    if meeting is None:
        return None
    if is_organizer(request) or {meeting.buyer_id, meeting.producer_id} & services.member_org_ids(
            request.user, request.event):
        return meeting
    return None


def _scan_from(form) -> services.uploads.CheckedScan | None:
    upload = form.cleaned_data.get("scan")
    if not upload:
        return None
    try:
        return services.check_scan(upload)
    except services.InvalidScan as error:
        form.add_error("scan", error.message)
        return None


def _submitter_org(request, form):
    """For a participant: the organization of theirs that is a party (None for organizers)."""
    return services.submitter_org(event=request.event, actor=request.user,
                                  organizations=[p.organization for p in form.cleaned_data["parties"]])


REDISPLAY_BUTTONS = ("add_party", "add_signatory", "neworg_create", "use_org")


def _redisplay(request, *, editing: Agreement | None) -> HttpResponse | None:
    """The form's own buttons that change the form rather than save it: "Add a party", "Add a signatory",
    and (organizers only) the quick-added or reused organization. The whole form is shown again with
    everything typed kept, so it also works without JavaScript; HTMX swaps in only the parties area.
    A participant's new organization is unverified until an organizer confirms it (``services.add_organization``)."""
    if not any(name in request.POST for name in REDISPLAY_BUTTONS):
        return None
    data = request.POST
    initial = AgreementForm(data, event=request.event).posted_initial()  # read, never validated
    parties: list[dict] = initial["parties"]
    org_form, org_duplicates, org_added = None, [], None
    focus_party = focus_signatory = None
    if "add_party" in data and len(parties) < MAX_PARTIES:  # the button is not shown at the limit
        parties.append({})
        focus_party = len(parties)
    if (row := id_or_none(data.get("add_signatory"))) is not None and 1 <= row <= len(parties):
        signatories = parties[row - 1].setdefault("signatories", [])
        if not signatories:  # the row always showed one signatory
            signatories.append({})
        if len(signatories) < MAX_SIGNATORIES:
            signatories.append({})
            focus_signatory = (row, len(signatories))
    if "neworg_create" in data or "use_org" in data:
        if "use_org" in data:
            use_org = id_or_none(data["use_org"])
            org_added = Organization.objects.filter(pk=use_org).first() if use_org else None
            if org_added is not None and not services.may_use(event=request.event, actor=request.user,
                                                              organization=org_added):
                org_added = None
            if org_added is None:
                org_form = QuickOrganizationForm(data)
        else:
            org_form = QuickOrganizationForm(data)
            if org_form.is_valid():
                try:
                    org_added = services.add_organization(event=request.event, actor=request.user,
                                                          data=org_form.to_data())
                except services.OrganizationClash as clash:
                    org_duplicates = clash.existing
                    org_form.add_error(None, clash.message)
                except DomainError as error:
                    org_form.add_error(None, error.message)
                else:
                    org_form = None
        if org_added is not None:
            _fill_empty_party(parties, org_added, kind=initial.get("kind"))
    form = AgreementForm(initial=initial, event=request.event)
    if focus_signatory is not None:  # the row just added gets the focus
        party, number = focus_signatory
        form.parties.forms[party - 1].signatories.forms[number - 1].fields["name"].widget.attrs["autofocus"] = True
    return render(request, "agreements/form.html", {
        "form": form, "editing": editing, "organizer": is_organizer(request), "duplicates": [],
        "org_form": org_form or QuickOrganizationForm(),
        "org_duplicates": org_duplicates, "org_added": org_added, "scan_dropped": bool(request.FILES.get("scan")),
        "focus_party": focus_party,
    })


def _fill_empty_party(parties: list[dict], organization: Organization, *, kind) -> None:
    """Put a quick-added or reused organization in the first party row without one (a new row if all are
    taken). The empty row's role select only held its default: the new party's likely side replaces it
    (a distributor added to a business agreement signs as buyer, not as a second seller)."""
    row = next((p for p in parties if p.get("organization") in (None, "")), None)
    if row is None:
        if len(parties) >= MAX_PARTIES:
            return
        row = {}
        parties.append(row)
    taken = [p.get("role") for p in parties if p is not row and p.get("organization") not in (None, "")]
    row["organization"] = str(organization.pk)
    row["role"] = services.default_role(organization, kind=kind, taken_roles=taken)


def _quick_org_form(request):
    return QuickOrganizationForm()


@event_view(roles=MEMBERS)
def agreement_new(request):
    event = request.event
    duplicates = []
    if request.method == "POST" and (redisplayed := _redisplay(request, editing=None)) is not None:
        return redisplayed
    if request.method == "POST":
        form = AgreementForm(request.POST, request.FILES, event=event)
        if form.is_valid():
            scan = _scan_from(form)
            if not form.errors:
                try:
                    agreement = services.create_agreement(
                        event=event, actor=request.user, data=form.to_data(), scan=scan,
                        submitted_by_org=_submitter_org(request, form),
                        allow_duplicate=form.cleaned_data.get("confirm_duplicate", False),
                        meeting=_entry_meeting(request, form.cleaned_data.get("meeting")),
                    )
                except services.DuplicateSuspected as dup:
                    duplicates = dup.duplicates
                    form.add_error(None, dup.message)
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    if is_organizer(request):
                        messages.success(request, _("Agreement “%(title)s” recorded.") % {"title": agreement.title})
                    else:
                        messages.success(request, _("Agreement submitted; the organizers will verify it."))
                    if "add_another" in request.POST:
                        params = {"kind": agreement.kind, "ceremony_ref": agreement.ceremony_ref,
                                  "signed_at": timezone.localtime(agreement.signed_at).strftime("%Y-%m-%dT%H:%M")}
                        if agreement.ceremony_session_id:
                            params["session"] = agreement.ceremony_session_id
                        return redirect(reverse("agreements:new", args=[event.slug]) + "?" + urlencode(params))
                    return redirect(agreement.get_absolute_url())
    else:
        form = AgreementForm(initial=_initial_from_get(request), event=event)
    return render(request, "agreements/form.html", {
        "form": form, "duplicates": _with_parties(Agreement.objects.filter(pk__in=[d.pk for d in duplicates])),
        "organizer": is_organizer(request), "editing": None, "org_form": _quick_org_form(request),
    }, status=409 if duplicates else 200)


def _may_edit(request, agreement: Agreement) -> bool:
    return request.user.has_perm("agreements.edit_agreement", agreement)


@event_view(roles=MEMBERS)
def agreement_edit(request, pk: int):
    agreement = _get_visible(request, pk)
    if not _may_edit(request, agreement):
        raise PermissionDenied
    if agreement.status == Agreement.Status.CANCELLED:
        messages.error(request, _("A cancelled agreement cannot be edited."))
        return redirect(agreement.get_absolute_url())
    duplicates, stale = [], None
    if request.method == "POST" and (redisplayed := _redisplay(request, editing=agreement)) is not None:
        return redisplayed
    if request.method == "POST":
        form = AgreementForm(request.POST, request.FILES, event=request.event)
        if form.is_valid():
            scan = _scan_from(form)
            if not form.errors:
                try:
                    services.update_agreement(
                        agreement=agreement, actor=request.user, data=form.to_data(), scan=scan,
                        expected_version=form.cleaned_data.get("version") or 0,
                        allow_duplicate=form.cleaned_data.get("confirm_duplicate", False),
                    )
                except services.StaleEdit as error:
                    stale = Agreement.objects.get(pk=agreement.pk)
                    form.add_error(None, error.message)
                    data = form.data.copy()
                    data["version"] = stale.version  # re-saving now knowingly replaces the newer version
                    form.data = data
                except services.DuplicateSuspected as dup:
                    duplicates = dup.duplicates
                    form.add_error(None, dup.message)
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("Changes saved."))
                    return redirect(agreement.get_absolute_url())
    else:
        form = AgreementForm(initial=initial_from_agreement(agreement), event=request.event, extra_parties=1)
    return render(request, "agreements/form.html", {
        "form": form, "editing": agreement, "organizer": is_organizer(request), "org_form": _quick_org_form(request),
        "duplicates": _with_parties(Agreement.objects.filter(pk__in=[d.pk for d in duplicates])),
        "stale": _with_parties(Agreement.objects.filter(pk=stale.pk)).first() if stale else None,
    }, status=409 if (stale or duplicates) else 200)


@event_view(roles=MEMBERS)
def agreement_detail(request, pk: int):
    agreement = _get_visible(request, pk)
    agreement = _with_parties(Agreement.objects.filter(pk=agreement.pk)).prefetch_related(
        "product_groups", "products").select_related("event", "submitted_by_org", "ceremony_session").get()
    organizer = is_organizer(request)
    same_scan = []
    if agreement.scan_sha256:
        same_scan = list(_visible(request).filter(scan_sha256=agreement.scan_sha256).exclude(pk=agreement.pk)
                         .only("pk", "title", "event"))
    allowed_status = services.entry.ALLOWED_STATUS.get(agreement.status, set())
    status_form = StatusForm(initial={"version": agreement.version})
    status_form.fields["status"].choices = [(s, Agreement.Status(s).label) for s in Agreement.Status.values
                                            if s in allowed_status and s != Agreement.Status.CANCELLED]
    return render(request, "agreements/detail.html", {
        "agreement": agreement, "history": services.entry.history(agreement, organizer=organizer),
        "organizer": organizer,
        "may_edit": _may_edit(request, agreement), "same_scan": same_scan,
        "reject_form": ReasonForm(initial={"version": agreement.version}, prefix="reject"),
        "cancel_form": ReasonForm(initial={"version": agreement.version}, prefix="cancel"),
        "status_form": status_form if status_form.fields["status"].choices else None,
        "may_cancel": Agreement.Status.CANCELLED in allowed_status,
        "unverified_parties": any(not p.organization.verified for p in agreement.parties.all()),
        "followup_reports": followup.reports_of(agreement),
        "may_report": agreement.counts and bool(
            {p.organization_id for p in agreement.parties.all()}
            & services.member_org_ids(request.user, request.event)),
    })


def _act(request, pk: int, action) -> HttpResponse:
    agreement = _get_visible(request, pk)
    try:
        action(agreement)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(agreement.get_absolute_url())


def _version(request, prefix: str = "") -> int | None:
    raw = request.POST.get(f"{prefix}-version" if prefix else "version", "")
    try:
        return parse_int(raw, minimum=0, maximum=INT32_MAX)
    except NumberError:
        return None


@require_POST
@event_view(roles={Role.ORGANIZER})
def agreement_verify(request, pk: int):
    def act(agreement):
        services.verify_agreement(agreement=agreement, actor=request.user, expected_version=_version(request))
        messages.success(request, _("Agreement verified; it now counts in the tallies."))
    return _act(request, pk, act)


@require_POST
@event_view(roles={Role.ORGANIZER})
def agreement_reject(request, pk: int):
    def act(agreement):
        services.reject_agreement(agreement=agreement, actor=request.user, reason=request.POST.get("reject-reason", ""),
                                  expected_version=_version(request, "reject"))
        messages.success(request, _("Agreement rejected; the submitter sees your reason."))
    return _act(request, pk, act)


@require_POST
@event_view(roles={Role.ORGANIZER})
def agreement_cancel(request, pk: int):
    def act(agreement):
        services.cancel_agreement(agreement=agreement, actor=request.user, reason=request.POST.get("cancel-reason", ""),
                                  expected_version=_version(request, "cancel"))
        messages.success(request, _("Agreement cancelled; it stays in the history."))
    return _act(request, pk, act)


@require_POST
@event_view(roles={Role.ORGANIZER})
def agreement_status(request, pk: int):
    def act(agreement):
        form = StatusForm(request.POST)
        form.fields["status"].choices = [(s, s) for s in Agreement.Status.values]
        if not form.is_valid():
            raise services.AgreementError(_("Choose a valid status and date."), code="status_form")
        services.set_status(agreement=agreement, actor=request.user, status=form.cleaned_data["status"],
                            on=form.cleaned_data.get("on"), expected_version=form.cleaned_data["version"])
        messages.success(request, _("Status updated."))
    return _act(request, pk, act)


@require_GET
@event_view(roles=MEMBERS)
def agreement_scan(request, pk: int):
    """The signed scan, only for organizers and the parties' members, always as a download."""
    agreement = _get_visible(request, pk)
    if not agreement.scan:
        raise Http404("No scan")
    try:
        handle = agreement.scan.open("rb")
    except FileNotFoundError:
        raise Http404("Scan file missing") from None
    name = safe_filename(agreement.scan_name or f"agreement-{agreement.pk}",
                         agreement.scan.name.rsplit(".", 1)[-1])
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=agreement.scan_content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@event_view(roles=MEMBERS)
def party_options(request):
    """HTMX: <option>s for organizations whose name, tax code or province matches, tone marks ignored."""
    q = fold(request.GET.get("q", "")).strip()
    orgs = services.search_parties(event=request.event, user=request.user, text=q) if len(q) >= 2 else []
    return render(request, "agreements/_party_options.html", {"orgs": orgs, "q": q})
