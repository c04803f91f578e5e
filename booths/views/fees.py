"""Organizer pages for booth fees: the payee, the list of payment requests, one request (waive, mark paid,
receipt), and bank-statement reconciliation. Each action calls one service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eventsite.access import ORGANIZER, event_view
from eventsite.errors import DomainError
from eventsite.numbers import BoundedIntegerField, NumberError, parse_id
from eventsite.tables import too_large

from ..banks import bank_choices
from ..models import (
    BankStatement,
    LineStatus,
    Payee,
    PaymentRequest,
    PaymentStatus,
    StatementLine,
)
from ..models.fees import account_number_validator
from ..services import fees as fee_service
from ..services import reconcile
from ..statements import MAX_BYTES
from .responses import done, refused

MAX_AMOUNT = 10**13 - 1


class PayeeForm(forms.Form):
    bank_bin = forms.ChoiceField(label=gettext_lazy("Bank"), choices=bank_choices)
    account_number = forms.CharField(label=gettext_lazy("Account number"), max_length=19,
                                     validators=[account_number_validator])
    account_name = forms.CharField(label=gettext_lazy("Account name"), max_length=100,
                                   help_text=gettext_lazy("As the bank shows it, e.g. SO CONG THUONG TINH CA MAU."))
    pay_within_days = BoundedIntegerField(
        label=gettext_lazy("Days to pay"), required=False, min_value=1, max_value=365,
        help_text=gettext_lazy("An unpaid reservation is released this many days after it was made. Leave empty "
                               "to keep unpaid reservations."))


class AmountForm(forms.Form):
    amount = BoundedIntegerField(label=gettext_lazy("Amount (VND)"), min_value=1, max_value=MAX_AMOUNT)
    text = forms.CharField(max_length=300)


class StatementForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bank statement (CSV or XLSX)"))


@event_view(roles=ORGANIZER)
def fees(request):
    event = request.event
    payee = Payee.objects.filter(event=event).first()
    initial = {f: getattr(payee, f) for f in ("bank_bin", "account_number", "account_name", "pay_within_days")} \
        if payee else {}
    form = PayeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fee_service.save_payee(event=event, by_user=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Payee saved."))
            return redirect("booths:fees", event_slug=event.slug)
    status = request.GET.get("status", "")
    requests = (PaymentRequest.objects.filter(event=event)
                .select_related("booking__booth", "booking__application__organization")
                .order_by("booking__booth__code", "-pk"))
    if status in PaymentStatus.values:
        requests = requests.filter(status=status)
    totals = PaymentRequest.objects.filter(event=event).aggregate(
        open=Count("pk", filter=Q(status=PaymentStatus.OPEN)), received=Sum("paid_amount"),
        waived=Sum("waived_amount"))
    return render(request, "booths/fees.html", {
        "form": form, "payee": payee, "requests": requests[:500], "status": status,
        "statuses": PaymentStatus.choices, "totals": totals,
    })


@event_view(roles=ORGANIZER)
def fee_request(request, request_id: int):
    payment = get_object_or_404(
        PaymentRequest.objects.select_related("booking__booth__hall", "booking__application__organization"),
        event=request.event, pk=request_id)
    return render(request, "booths/fee_request.html", {
        "payment": payment, "payments": payment.payments.select_related("recorded_by"),
        "lines": payment.statement_lines.select_related("statement"),
        "payee": Payee.objects.filter(event=request.event).first(),
    })


FEE_ACTIONS = {"waive": gettext_lazy("Fee waived."), "mark_paid": gettext_lazy("Payment recorded.")}


@require_POST
@event_view(roles=ORGANIZER)
def fee_action(request, request_id: int, action: str):
    event = request.event
    payment = get_object_or_404(PaymentRequest, event=event, pk=request_id)
    back = reverse("booths:fee_request", kwargs={"event_slug": event.slug, "request_id": payment.pk})
    if action not in FEE_ACTIONS:
        raise Http404("No such action")
    form = AmountForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    amount, text = form.cleaned_data["amount"], form.cleaned_data["text"]
    try:
        if action == "waive":
            fee_service.waive_fee(request_id=payment.pk, event_id=event.pk, amount=amount, reason=text,
                                  by_user=request.user)
        else:
            fee_service.mark_paid(request_id=payment.pk, event_id=event.pk, amount=amount, note=text,
                                  by_user=request.user)
    except DomainError as error:
        return refused(request, error, back)
    return done(request, str(FEE_ACTIONS[action]), back)


ATTENTION = (LineStatus.PROPOSED, LineStatus.UNMATCHED, LineStatus.DUPLICATE)


@event_view(roles=ORGANIZER)
def statements(request):
    event = request.event
    form = StatementForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_BYTES:
                raise too_large(MAX_BYTES)
            data = upload.read()
            statement = reconcile.reconcile_statement(event=event, data=data, filename=upload.name,
                                                      by_user=request.user)
        except DomainError as error:
            form.add_error("file", error.message)
            status = error.status
        else:
            if statement.lines_new:
                messages.success(request, _("%(new)d new lines of %(total)d read; see the outcome below.")
                                 % {"new": statement.lines_new, "total": statement.lines_total})
            else:
                messages.info(request, _("Every line of this statement was read before; nothing changed."))
            return redirect("booths:statements", event_slug=event.slug)
    elif request.method == "POST":
        status = 400
    lines = (StatementLine.objects.filter(event=event, status__in=ATTENTION)
             .select_related("request__booking__booth", "request__booking__application__organization")
             .order_by("status", "-pk")[:300])
    counts = dict(StatementLine.objects.filter(event=event).values_list("status").annotate(n=Count("pk")))
    return render(request, "booths/statements.html", {
        "form": form, "lines": lines, "statements": BankStatement.objects.filter(event=event)[:20],
        "counts": [(label, counts.get(value, 0)) for value, label in LineStatus.choices],
        "max_mb": MAX_BYTES // (1024 * 1024),
    }, status=status)


@require_POST
@event_view(roles=ORGANIZER)
def line_action(request, line_id: int, action: str):
    event = request.event
    back = reverse("booths:statements", kwargs={"event_slug": event.slug})
    try:
        if action == "confirm":
            target = None
            reference = request.POST.get("reference", "").strip().upper()
            if reference:
                found = PaymentRequest.objects.filter(event=event, reference=reference).first()
                if found is None:
                    messages.error(request, _("No payment has the reference %(ref)s.") % {"ref": reference[:20]})
                    return redirect(back)
                target = found.pk
            elif request.POST.get("request"):
                target = parse_id(request.POST["request"])
            reconcile.confirm_line(line_id=line_id, event_id=event.pk, request_id=target, by_user=request.user)
            message = _("Transfer recorded.")
        elif action == "dismiss":
            reconcile.dismiss_line(line_id=line_id, event_id=event.pk, by_user=request.user)
            message = _("Line set aside.")
        else:
            raise Http404("No such action")
    except (StatementLine.DoesNotExist, PaymentRequest.DoesNotExist):
        raise Http404("Not found") from None
    except (DomainError, NumberError) as error:
        return refused(request, error, back)
    return done(request, message, back)
