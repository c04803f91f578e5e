"""Reconciling a bank statement with payment requests.

Each credit line is stored once per event (``StatementLine.line_hash`` is unique), so the same statement uploaded
twice (or two overlapping statements) adds and pays nothing the second time. New lines are matched:

* **exact**: the transfer message contains an open request's reference and the amount is what is due: the
  payment is recorded through ``fees.record_payment`` (which confirms the reservation);
* **duplicate**: the reference of a request already settled: never paid twice, shown for a refund;
* **proposed**: the reference with another amount (partial or over-payment), or a message holding a reference
  with one character wrong, missing or extra (*mistyped*) or cut short by the bank (*partial*, at least
  ``KN`` and 4 characters): the organizer confirms or sets it aside;
* **unmatched**: nothing recognisable (or the booking has ended).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.activity import log_action
from eventsite.errors import Conflict, DomainError

from ..models import (
    SETTLED,
    BankStatement,
    LineStatus,
    PaymentMethod,
    PaymentRequest,
    PaymentStatus,
    StatementLine,
)
from ..statements import parse_statement
from . import fees
from .payment_requests import PREFIX, REFERENCE_LENGTH

BATCH = 500  # under SQLite's bound-parameter limit
MIN_PARTIAL = len(PREFIX) + 4
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def _compact(text: str) -> str:
    return _NOT_ALNUM.sub("", text.upper())


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class _Index:
    """Every request of the event by reference, plus the lookups for near misses among the open ones."""

    def __init__(self, requests: list[PaymentRequest]):
        self.by_ref = {r.reference: r for r in requests}
        self.by_deletion: dict[str, set[str]] = defaultdict(set)
        self.by_prefix: dict[str, set[str]] = defaultdict(set)
        for r in requests:
            if r.status != PaymentStatus.OPEN:
                continue
            for d in _deletions(r.reference):
                self.by_deletion[d].add(r.reference)
            for n in range(MIN_PARTIAL, REFERENCE_LENGTH):
                self.by_prefix[r.reference[:n]].add(r.reference)

    def exact(self, text: str) -> PaymentRequest | None:
        for start in _starts(text):
            found = self.by_ref.get(text[start:start + REFERENCE_LENGTH])
            if found is not None:
                return found
        return None

    def near(self, text: str) -> tuple[set[str], str]:
        """Open references one edit away (mistyped), else those the text's cut-off reference begins (partial)."""
        mistyped: set[str] = set()
        n = REFERENCE_LENGTH
        for start in _starts(text):
            same, shorter, longer = text[start:start + n], text[start:start + n - 1], text[start:start + n + 1]
            if len(same) == n:  # one character replaced, or two neighbours swapped
                for d in _deletions(same):
                    mistyped |= self.by_deletion.get(d, set())
            if len(longer) == n + 1:  # one character too many
                mistyped |= {d for d in _deletions(longer) if d in self.by_ref and self.by_ref[d].is_open}
            if len(shorter) == n - 1:  # one character missing
                mistyped |= self.by_deletion.get(shorter, set())
        if mistyped:
            return mistyped, "mistyped"
        partial: set[str] = set()
        for start in _starts(text):
            tail = text[start:start + REFERENCE_LENGTH]
            if len(tail) >= MIN_PARTIAL and start + len(tail) == len(text):  # cut off at the end of the message
                partial |= self.by_prefix.get(tail, set())
        return partial, "partial"


def _starts(text: str):
    start = text.find(PREFIX)
    while start != -1:
        yield start
        start = text.find(PREFIX, start + 1)


def _known_hashes(event_id: int, hashes: list[str]) -> set[str]:
    known: set[str] = set()
    for i in range(0, len(hashes), BATCH):
        known.update(StatementLine.objects.filter(event_id=event_id, line_hash__in=hashes[i:i + BATCH])
                     .values_list("line_hash", flat=True))
    return known


def reconcile_statement(*, event, data: bytes, filename: str, by_user=None,
                        now: datetime | None = None) -> BankStatement:
    """Store the statement's new credit lines, each with its outcome, and pay the exact matches (module docstring).
    One transaction; the number of queries does not grow with the number of lines (batches of 500)."""
    now = now or timezone.now()
    layout, credits = parse_statement(data)
    try:
        with transaction.atomic():
            known = _known_hashes(event.pk, [c.line_hash for c in credits])
            statement = BankStatement.objects.create(event=event, filename=filename[:200], layout=layout,
                                                     lines_total=len(credits), uploaded_by=by_user)
            new = [StatementLine(event=event, statement=statement, line_hash=c.line_hash, posted_on=c.posted_on,
                                 amount=c.amount, description=c.description, bank_ref=c.bank_ref,
                                 status=LineStatus.UNMATCHED) for c in credits if c.line_hash not in known]
            _classify(event.pk, new)
            StatementLine.objects.bulk_create(new, batch_size=BATCH)
            _pay_exact(event.pk, [line for line in new if line.status == LineStatus.MATCHED], by_user=by_user,
                       now=now)
            statement.lines_new = len(new)
            statement.save(update_fields=["lines_new"])
            counts = dict.fromkeys(LineStatus.values, 0)
            for line in new:
                counts[line.status] += 1
            log_action(action="booths.statement_uploaded", obj=event, event=event, actor=by_user,
                       after={"statement": statement.pk, "file": statement.filename, "layout": layout,
                              "lines": len(credits), "new": len(new), **counts})
    except IntegrityError:  # the same lines stored by a concurrent upload: its outcome stands
        raise Conflict(_("This statement is being reconciled by another upload; reload the page in a moment."),
                       code="statement_busy") from None
    return statement


def _classify(event_id: int, lines: list[StatementLine]) -> None:
    """Set each new line's outcome in memory: exact matches are marked matched here and paid by ``_pay_exact``."""
    index = _Index(list(PaymentRequest.objects.filter(event_id=event_id)))
    for line in lines:
        text = _compact(line.description)
        request = index.exact(text)
        if request is not None:
            line.request = request
            if request.status in SETTLED:
                line.status = LineStatus.DUPLICATE
            elif request.status != PaymentStatus.OPEN:
                line.status, line.reason = LineStatus.UNMATCHED, "closed"
            elif line.amount == request.due:
                line.status = LineStatus.MATCHED
            else:
                line.status, line.reason = LineStatus.PROPOSED, "amount"
        else:
            candidates, reason = index.near(text)
            requests = [index.by_ref[r] for r in sorted(candidates)]
            same_amount = [r for r in requests if r.due == line.amount]
            chosen = same_amount if len(same_amount) == 1 else requests
            if len(chosen) == 1:
                line.request, line.status, line.reason = chosen[0], LineStatus.PROPOSED, reason


def _pay_exact(event_id: int, lines: list[StatementLine], *, by_user, now: datetime) -> None:
    """Pay the exact matches together through the one payment path. A second transfer of the same reference in
    this statement is refused there (already settled) and its line becomes a duplicate."""
    results = fees.record_payments(event_id=event_id, by_user=by_user, now=now, incoming=[
        fees.Incoming(line.request_id, line.amount, PaymentMethod.TRANSFER, line.bank_ref, line.pk) for line in lines])
    refused = [line for line, result in zip(lines, results, strict=True) if isinstance(result, DomainError)]
    for line in refused:
        line.status = LineStatus.DUPLICATE
    if refused:
        StatementLine.objects.filter(pk__in=[line.pk for line in refused]).update(status=LineStatus.DUPLICATE)


def confirm_line(*, line_id: int, event_id: int, request_id: int | None = None, by_user=None,
                 now: datetime | None = None) -> StatementLine:
    """The organizer accepts a proposed match (or matches an unmatched line to a request by hand): the line's
    amount is recorded as a transfer against the request, once."""
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line_id, event_id=event_id)
        if line.status not in (LineStatus.PROPOSED, LineStatus.UNMATCHED):
            raise Conflict(_("This statement line has been dealt with already."), code="line_done")
        target = request_id or line.request_id
        if target is None:
            raise fees.FeeError(_("Choose the payment this transfer is for."), code="request_required")
        if target != line.request_id:
            line.request_id = target
            line.save(update_fields=["request"])
        fees.record_payment(request_id=target, event_id=event_id, amount=line.amount, method=PaymentMethod.TRANSFER,
                            note=line.bank_ref, by_user=by_user, line=line, now=now)
        line.refresh_from_db()
    return line


def dismiss_line(*, line_id: int, event_id: int, by_user=None) -> StatementLine:
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line_id, event_id=event_id)
        if line.status not in (LineStatus.PROPOSED, LineStatus.UNMATCHED):
            raise Conflict(_("This statement line has been dealt with already."), code="line_done")
        before = line.status
        line.status = LineStatus.DISMISSED
        line.save(update_fields=["status"])
        log_action(action="booths.statement_line_dismissed", event=event_id, actor=by_user,
                   before={"status": before}, after={"line": line.pk, "amount": line.amount,
                                                     "message": line.description[:120]})
    return line
