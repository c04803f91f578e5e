"""Badges and check-in: approved registrations for the demo buyers, speaker and desk, their badges, and a
first wave of check-ins at two gates (through the real redeem service, with fixed nonces so re-runs replay)."""

from __future__ import annotations

from checkin.services import checkin
from eventsite.provinces import fold
from registration.models import Registration, RegistrationRole, RegistrationStatus
from registration.services import badges


def _registration(ctx, user, *, role, company, status=RegistrationStatus.APPROVED) -> Registration:
    reg = Registration.objects.filter(event=ctx.event, email=user.email).exclude(
        status__in=[RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED]).first()
    if reg is None:
        reg = Registration(event=ctx.event, user=user, email=user.email, full_name=user.full_name, role=role,
                           company=company, phone=f"0290 3{user.pk:06d}", status=status)
        reg.search_text = fold(" ".join([reg.full_name, company, user.email, reg.phone]))
        reg.save()
    return reg


def run(ctx) -> None:
    event = ctx.event
    regs = []
    for i, org in enumerate(ctx.buyers):
        user = ctx.users.get(f"buyer{i}")
        if user is None:
            continue
        status = RegistrationStatus.PENDING if i % 9 == 8 else RegistrationStatus.APPROVED
        regs.append(_registration(ctx, user, role=RegistrationRole.BUYER, company=org.name, status=status))
    if "speaker" in ctx.users:
        regs.append(_registration(ctx, ctx.users["speaker"], role=RegistrationRole.SPEAKER,
                                  company=ctx.departments[0].name))
    if "organizer" in ctx.users:
        regs.append(_registration(ctx, ctx.users["organizer"], role=RegistrationRole.ORGANIZER_STAFF,
                                  company=ctx.organizer_org.name))
    badges.ensure_badges(regs)
    desk = ctx.users["desk"]
    # About a third have arrived: gate 1 (main entrance) and gate 2 (exhibition hall side door).
    for n, reg in enumerate(r for r in regs if r.status == RegistrationStatus.APPROVED and r.role == "buyer"):
        if n % 3:
            continue
        checkin.checkin_registration(registration_id=reg.pk, gate="Cổng 1" if n % 2 else "Cổng 2",
                                     nonce=f"demo-seed-{reg.pk}", device_or_user=desk, event=event)
