"""One event with a row of every project model, for the admin tests.

``build_world(token, n)`` names everything searchable after ``token`` (events, organizations, people, halls…) so
a search for the token finds this world's rows and no other's, and gives every parent ``n`` children (roles,
booth wishes, questions, speakers, releases, parties, slots…) so a page that queries once per row shows it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from agenda.models import (
    Agenda,
    AgendaChange,
    AgendaRelease,
    Announcement,
    FeedToken,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Star,
)
from agreements.models import (
    AgreementParty,
    AgreementProductGroup,
    CallNote,
    ChannelListing,
    CheckPoint,
    FollowupLink,
    FollowupNotice,
    FollowupReport,
    FollowupStatus,
)
from agreements.services import AgreementData, PartyData, create_agreement
from booths.models import (
    AllocationItem,
    AllocationRun,
    BankStatement,
    Booking,
    BookingStatus,
    Booth,
    BoothPreference,
    BoothSettings,
    ExhibitorApplication,
    Hall,
    Payee,
    Payment,
    PaymentRequest,
    StatementLine,
    WaitlistEntry,
    Zone,
)
from catalog.ocop import ProductGroup
from checkin.models import CheckIn, CheckinConflict, DeskReport, ScanStatus
from checkin.services import devices
from checkin.services.checkin import SCAN
from eventsite.activity import log_action
from eventsite.models import Event, EventRole, Invitation, Organization, OrganizationRole, ReportJob
from matchmaking.models import (
    BlockedTime,
    BuyerProfile,
    MatchmakingSettings,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSession,
    MeetingSlot,
    MeetingTable,
    ProducerProfile,
    Side,
)
from registration.models import (
    Badge,
    BadgeJob,
    DeskSyncCounter,
    DeskTombstone,
    ImportBatch,
    Registration,
    RegistrationQuestion,
    RegistrationSettings,
    RegistrationStatus,
    RevokedToken,
)
from registration.services import tokens
from tests.factories import DAY1, EventFactory, OrganizationFactory, ProductFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GROUPS = list(ProductGroup.values)


@dataclass
class World:
    token: str
    event: Event
    objects: dict[type, object] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)

    def keep(self, *objs):
        for obj in objs:
            self.objects.setdefault(type(obj), obj)
        return objs[0]


def build_world(token: str, n: int = 1) -> World:
    slug = slugify(token.replace("đ", "d").replace("Đ", "D"))
    day = DAY1
    host = OrganizationFactory(name=f"Sở Công Thương {token}", kind=Organization.Kind.GOVERNMENT)
    event = EventFactory(name=f"Hội nghị kết nối cung cầu {token}", slug=slug, organizer=host, starts_at=day)
    w = World(token, event)
    w.keep(event, host)
    organizer = UserFactory(email=f"btc-{slug}@example.vn", full_name=f"Lê Văn {token}")
    w.keep(organizer)
    producers = [OrganizationFactory(name=f"Hợp tác xã {token} {i}") for i in range(n + 1)]
    buyers = [OrganizationFactory(name=f"Siêu thị {token} {i}", kind=Organization.Kind.RETAIL_CHAIN)
              for i in range(n + 1)]
    w.keep(EventRole.objects.create(event=event, user=organizer, role=EventRole.Role.ORGANIZER, organization=host))
    w.keep(OrganizationRole.objects.create(organization=host, user=organizer, granted_by=organizer))
    invitation_hash = hashlib.sha256(f"loi-moi-{slug}".encode()).hexdigest()
    w.keep(Invitation.objects.create(event=event, email=f"quay-{slug}@example.vn", role=EventRole.Role.DESK_STAFF,
                                     token_hash=invitation_hash, invited_by=organizer,
                                     expires_at=day + timedelta(days=7)))
    w.secrets.append(invitation_hash)
    for i in range(n):
        person = UserFactory(email=f"nsx{i}-{slug}@example.vn", full_name=f"Trần Thị {token} {i}")
        EventRole.objects.create(event=event, user=person, role=EventRole.Role.EXHIBITOR,
                                 organization=producers[i])
    w.keep(ReportJob.objects.create(event=event, requested_by=organizer, kind="registrations",
                                    filename=f"dang-ky-{slug}.xlsx"))
    products = [ProductFactory(producer=producers[0], name=f"Khô cá khoai {token} {i}") for i in range(n)]
    w.keep(products[0])

    # booths
    w.keep(BoothSettings.objects.create(event=event))
    hall = w.keep(Hall.objects.create(event=event, name=f"Nhà {token}", width_m=60, depth_m=40))
    zone = w.keep(Zone.objects.create(hall=hall, name=f"Khu {token}", theme_group=ProductGroup.FOOD))
    booths = [Booth.objects.create(event=event, hall=hall, zone=zone, code=f"{slug[:6]}-{i}", price=5_000_000,
                                   x=3.0 * i, y=0, w=3, h=3) for i in range(n + 1)]
    w.keep(booths[0])
    applications = []
    for i in range(n):
        app = ExhibitorApplication.objects.create(
            event=event, organization=producers[i], applicant=organizer, contact_name=f"Nguyễn {token} {i}",
            contact_phone="0290 3831 234", contact_email=f"lienhe{i}-{slug}@example.vn", status="approved")
        app.products.set(products)
        applications.append(app)
        for rank in range(1, n + 1):
            BoothPreference.objects.create(application=app, rank=rank, booth=booths[rank - 1])
    w.keep(applications[0])
    w.keep(BoothPreference.objects.filter(application=applications[0]).first())
    bookings = [Booking.objects.create(event=event, booth=booths[i], application=applications[i],
                                       status=BookingStatus.RESERVED) for i in range(n)]
    w.keep(bookings[0])
    w.keep(WaitlistEntry.objects.create(event=event, application=applications[0], kind="corner"))
    run = w.keep(AllocationRun.objects.create(event=event, created_by=organizer))
    for i in range(n):
        AllocationItem.objects.create(run=run, application=applications[i], booth=booths[i], rank_met=1)
    w.keep(AllocationItem.objects.filter(run=run).first())

    # registration, badges, check-in
    settings = w.keep(RegistrationSettings.objects.create(event=event))
    for i in range(n):
        RegistrationQuestion.objects.create(settings=settings, label=f"Câu hỏi {token} {i}", order=i)
    w.keep(RegistrationQuestion.objects.filter(settings=settings).first())
    registrations = [Registration.objects.create(
        event=event, organization=buyers[i], status=RegistrationStatus.APPROVED, full_name=f"Phạm {token} {i}",
        company=buyers[i].name, phone="0901 234 567", email=f"kh{i}-{slug}@example.vn") for i in range(n)]
    w.keep(registrations[0])
    badges = [Badge.objects.create(event=event, registration=r) for r in registrations]
    w.keep(badges[0])
    key = w.keep(tokens.ensure_event_key(event.pk))
    w.secrets += [bytes(key.private_key_encrypted).decode("ascii", "replace"),
                  bytes(key.private_key_encrypted).hex()]
    device, device_token = devices.create_device(event=event, name=f"Máy quét {token}", created_by=organizer)
    w.keep(device)
    w.secrets += [device_token, device.token_hash]
    w.keep(RevokedToken.objects.create(event=event, badge=badges[0], counter=1, revoked_by=organizer))
    w.keep(BadgeJob.objects.create(event=event, requested_by=organizer))
    checkins = [CheckIn.objects.create(event=event, badge=b, gate=f"Cổng {token}", at=day, by_user=organizer,
                                       by_device=device, role="buyer") for b in badges]
    w.keep(checkins[0])
    for i, (badge, checkin) in enumerate(zip(badges, checkins, strict=True)):
        log_action(action=SCAN, obj=badge.registration, event=event, actor=organizer, key=f"{slug}-{i}", at=day,
                   after={"status": ScanStatus.OK, "scan_gate": checkin.gate, "checkin_id": checkin.pk})
        CheckinConflict.objects.create(event=event, badge=badge, kept=checkin, other_gate=f"Cổng {token} B",
                                       other_at=day + timedelta(minutes=5), other_by=organizer,
                                       nonce=f"{slug}-x{i}")
    w.keep(CheckinConflict.objects.filter(event=event).first())
    w.keep(DeskSyncCounter.objects.get_or_create(event=event)[0])
    tombstones = [DeskTombstone.objects.create(event=event, badge_id=900_000 + i, version=i + 1) for i in range(n)]
    w.keep(tombstones[0])
    w.keep(DeskReport.objects.create(event=event, desk_id=f"desk-{slug}", user=organizer, gate=f"Cổng {token}",
                                     last_sync_at=day))
    w.keep(ImportBatch.objects.create(event=event, created_by=organizer, filename=f"khach-{slug}.xlsx"))

    # agenda
    room = w.keep(Room.objects.create(event=event, name=f"Hội trường {token}"))
    speakers = [Speaker.objects.create(event=event, name=f"Đỗ {token} {i}") for i in range(n)]
    w.keep(speakers[0])
    session = w.keep(Session.objects.create(event=event, title=f"Khai mạc {token}", type="opening",
                                            starts_at=day, ends_at=day + timedelta(hours=1), room=room))
    for i, speaker in enumerate(speakers):
        SessionSpeaker.objects.create(session=session, speaker=speaker, position=i)
    w.keep(SessionSpeaker.objects.filter(session=session).first())
    agenda = w.keep(Agenda.objects.create(event=event))
    for version in range(1, n + 1):
        release = AgendaRelease.objects.create(agenda=agenda, version=version, published_by=organizer)
        for i in range(n):
            AgendaChange.objects.create(release=release, session_id_ref=session.pk,
                                        session_title=f"{session.title} {i}", kind="added")
    w.keep(AgendaRelease.objects.filter(agenda=agenda).order_by("version").first(), AgendaChange.objects.filter(
        release__agenda=agenda).first())
    w.keep(Announcement.objects.create(event=event, text=f"Thông báo {token}", created_by=organizer))
    w.keep(Star.objects.create(user=organizer, session=session))
    feed = w.keep(FeedToken.objects.create(user=organizer, event=event))
    w.secrets.append(feed.token)

    # agreements (through the service: it writes parties, signatories, groups and the audit entry)
    parties = [PartyData(producers[0], AgreementParty.Role.SELLER, f"Võ {token}", "Giám đốc")]
    parties += [PartyData(buyers[i], AgreementParty.Role.BUYER, f"Huỳnh {token} {i}", "Trưởng phòng")
                for i in range(n)]
    agreement = w.keep(create_agreement(event=event, actor=organizer, allow_duplicate=True, data=AgreementData(
        kind="biz_distributor", title=f"Cung ứng khô cá {token}", parties=parties, signed_at=day,
        product_groups=GROUPS[:n], estimated_value=100_000_000)))
    w.keep(agreement.parties.first(), AgreementParty.objects.filter(agreement=agreement).first().signatories.first(),
           AgreementProductGroup.objects.filter(agreement=agreement).first())

    # the activity log (one entry per changed object; the admin lists them with their actors)
    entries = [log_action(action="test.world", obj=booking, actor=organizer, note=f"{token} {i}")
               for i, booking in enumerate(bookings)]
    entries.append(log_action(action="test.world", obj=event, actor_label=f"Máy quét {token}"))
    w.keep(entries[0])

    # matchmaking
    w.keep(MatchmakingSettings.objects.create(event=event))
    buyer_profile = w.keep(BuyerProfile.objects.create(event=event, organization=buyers[0], needs=f"mật ong {token}"))
    producer_profile = w.keep(ProducerProfile.objects.create(event=event, organization=producers[0]))
    producer_profile.products.set(products)
    assert buyer_profile
    mm_session = w.keep(MeetingSession.objects.create(event=event, name=f"Giao thương {token}", starts_at=day,
                                                      ends_at=day + timedelta(minutes=20 * (n + 1))))
    slots = [MeetingSlot.objects.create(session=mm_session, starts_at=day + timedelta(minutes=20 * i),
                                        ends_at=day + timedelta(minutes=20 * (i + 1))) for i in range(n + 1)]
    w.keep(slots[0])
    table = w.keep(MeetingTable.objects.create(event=event, number=1, booth_code=booths[0].code))
    for i in range(n):
        request = MeetingRequest.objects.create(
            event=event, buyer=buyers[i], producer=producers[i], from_side=Side.BUYER, requested_by=organizer,
            message=f"Hẹn gặp {token} {i}", status=MeetingRequest.Status.ACCEPTED, agreed_slot=slots[i],
            expires_at=day + timedelta(days=3))
        request.products.set(products[:1])
        meeting = Meeting.objects.create(event=event, request=request, slot=slots[i], table=table,
                                         buyer=buyers[i], producer=producers[i])
        MeetingOutcome.objects.create(meeting=meeting, side=Side.BUYER, result="interested",
                                      note=f"Ghi chú {token}", recorded_by=organizer)
    w.keep(MeetingRequest.objects.filter(event=event).first(), Meeting.objects.filter(event=event).first(),
           MeetingOutcome.objects.filter(meeting__event=event).first())
    w.keep(BlockedTime.objects.create(event=event, organization=buyers[0], starts_at=day,
                                      ends_at=day + timedelta(hours=1), reason=f"Họp {token}"))

    # leads
    from leads.models import BoothStaff, Lead, LeadScan, LeadSettings
    from registration.models import ContactConsent

    for registration in registrations:
        ContactConsent.objects.create(registration=registration, shared=True, wording=f"Đồng ý {token}",
                                      language="vi")
    w.keep(ContactConsent.objects.filter(registration__event=event).first())

    w.keep(LeadSettings.objects.create(event=event))
    for i in range(n):
        staff_user = UserFactory(email=f"gian{i}-{slug}@example.vn", full_name=f"Phan {token} {i}")
        w.keep(BoothStaff.objects.create(event=event, booth=booths[i], user=staff_user))
        lead = w.keep(Lead.objects.create(event=event, booth=booths[i], registration=registrations[i],
                                          first_scanned_at=day, last_scanned_at=day, note=f"Ghi chú {token}"))
        lead.products.set(products[:1])
        LeadScan.objects.create(lead=lead, booth=booths[i], nonce=f"nonce-{slug}-{i}", scanned_at=day,
                                by=staff_user)

    # booth fees (a request per booking; the first with n payments, a statement with n lines)
    w.keep(Payee.objects.create(event=event, bank_bin="970436", account_number=f"{1000 + n}",
                                account_name=f"SO CONG THUONG {slug.upper()}"))
    requests = [PaymentRequest.objects.create(event=event, booking=booking, amount=5_000_000,
                                              reference=f"KN{slug[:3].upper()}{i:04d}"[:12])
                for i, booking in enumerate(bookings)]
    w.keep(requests[0])
    statement = w.keep(BankStatement.objects.create(event=event, filename=f"sao-ke-{slug}.xlsx", layout="vcb",
                                                    uploaded_by=organizer))
    for i in range(n):
        line = StatementLine.objects.create(event=event, statement=statement, line_hash=f"{slug}-{i}", amount=1_000,
                                            description=f"{requests[0].reference} {token} {i}", status="matched",
                                            request=requests[0])
        Payment.objects.create(request=requests[0], amount=1_000, method="transfer", receipt_number=f"{slug}-{i}",
                               received_at=day, recorded_by=organizer, statement_line=line)
    w.keep(StatementLine.objects.filter(statement=statement).first(),
           Payment.objects.filter(request=requests[0]).first())

    # follow-through (a report with n channel listings, a notice and a link per buyer party)

    point = w.keep(CheckPoint.objects.create(event=event, months=1))
    report = w.keep(FollowupReport.objects.create(agreement=agreement, organization=producers[0], checkpoint=point,
                                                  state="orders", value=10_000_000, via="organizer",
                                                  reported_by=organizer, note=f"Đơn hàng {token}"))
    for i in range(n):
        ChannelListing.objects.create(report=report, product=products[i], channel="store_chain", name=f"Co.op {i}")
    w.keep(ChannelListing.objects.filter(report=report).first())
    w.keep(FollowupStatus.objects.create(agreement=agreement, state="orders", implemented=True,
                                         realized_value=10_000_000, last_reported_at=day))
    for i in range(n):
        link_hash = hashlib.sha256(f"lien-ket-{slug}-{i}".encode()).hexdigest()
        w.secrets.append(link_hash)
        w.keep(FollowupNotice.objects.create(agreement=agreement, organization=buyers[i], checkpoint=point,
                                             email=f"mua{i}-{slug}@example.vn", status="sent", sent_at=day))
        w.keep(FollowupLink.objects.create(token_hash=link_hash, agreement=agreement, organization=buyers[i],
                                           checkpoint=point, email=f"mua{i}-{slug}@example.vn",
                                           expires_at=day + timedelta(days=30)))
    w.keep(CallNote.objects.create(agreement=agreement, called_on=day.date(), note=f"Đã gọi {token}",
                                   author=organizer))
    return w
