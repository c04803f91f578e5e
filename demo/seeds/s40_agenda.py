"""The three-day programme (9–11/12/2026), modelled on the press reports: opening, two panels,
MoU signing, B2B blocks and the exhibition; published as version 1."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from agenda import services
from agenda.models import Room, Session, SessionSpeaker, Speaker

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T = Session.Type
R = SessionSpeaker.Role

ROOMS = [
    ("Hội trường A", 600),
    ("Phòng hội thảo 1", 150),
    ("Phòng hội thảo 2", 120),
    ("Khu B2B", 200),
    ("Khu triển lãm", 2000),
]

SPEAKERS = {
    "minh": ("Nguyễn Hoàng Minh", "Phó Chủ tịch", "UBND tỉnh Cà Mau"),
    "han": ("Trần Thị Ngọc Hân", "Giám đốc", "Sở Công Thương tỉnh Cà Mau"),
    "vinh": ("Lê Quang Vinh", "Phó Cục trưởng", "Cục Xúc tiến thương mại, Bộ Công Thương"),
    "trang": ("Phạm Thu Trang", "Giám đốc Thu mua", "Central Retail Việt Nam"),
    "hai": ("Đỗ Văn Hải", "Giám đốc", "Siêu thị Tứ Sơn"),
    "ngoc": ("Huỳnh Thị Bích Ngọc", "Trưởng phòng Ngành hàng thực phẩm", "Saigon Co.op"),
    "bao": ("Đặng Quốc Bảo", "Giám đốc", "HTX Tôm sinh thái Năm Căn"),
    "phong": ("Bùi Thanh Phong", "Trưởng nhóm phát triển nhà bán", "Sàn TMĐT voso.vn (Viettel Post)"),
    "mai": ("Ngô Thị Mai Anh", "Chủ tịch HĐQT", "Công ty CP Xuất nhập khẩu Thủy sản Năm Căn"),
    "nghia": ("Tô Hữu Nghĩa", "Phó Giám đốc", "Trung tâm Khuyến công và Xúc tiến thương mại tỉnh Cà Mau"),
    "lan": ("Châu Ngọc Lan", "Chuyên gia thiết kế bao bì", "Viện Nghiên cứu Thiết kế Bao bì Việt"),
}

# (day, start, end, room index, type, title, description, [(speaker, role)])
SESSIONS = [
    (9, "07:30", "08:00", 0, T.BREAK, "Đón tiếp đại biểu, đăng ký tham dự", "", []),
    (9, "08:00", "09:30", 0, T.OPENING, "Khai mạc Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Cà Mau năm 2026",
     "Phát biểu khai mạc, báo cáo kết quả Chương trình OCOP của tỉnh và cắt băng khu trưng bày.",
     [("minh", R.SPEAKER), ("han", R.SPEAKER)]),
    (9, "08:00", "17:00", 4, T.EXHIBITION, "Trưng bày và giới thiệu sản phẩm OCOP, đặc sản vùng miền",
     "Gian hàng của hơn 90 doanh nghiệp, hợp tác xã, cơ sở sản xuất trong và ngoài tỉnh.", []),
    (9, "09:45", "11:30", 1, T.PANEL, "Chính sách mở rộng thị trường cho sản phẩm OCOP",
     "Chính sách và giải pháp đẩy mạnh xúc tiến thương mại, mở rộng thị trường tiêu thụ sản phẩm OCOP "
     "trong nước và xuất khẩu.",
     [("nghia", R.MODERATOR), ("vinh", R.PANELIST), ("han", R.PANELIST), ("mai", R.PANELIST)]),
    (9, "09:45", "11:30", 3, T.B2B, "Gặp gỡ giao thương B2B – phiên 1",
     "Các cuộc hẹn 20 phút giữa chủ thể OCOP và nhà mua đã đăng ký.", []),
    (9, "11:30", "13:30", 0, T.BREAK, "Nghỉ trưa", "", []),
    (9, "13:30", "15:30", 2, T.PANEL, "Đưa sản phẩm OCOP vào hệ thống phân phối",
     "Cơ hội và giải pháp kết nối, đưa sản phẩm OCOP, sản phẩm chủ lực vào các hệ thống phân phối, "
     "các điểm giới thiệu và bán sản phẩm.",
     [("han", R.MODERATOR), ("trang", R.PANELIST), ("hai", R.PANELIST), ("ngoc", R.PANELIST)]),
    (9, "13:30", "16:30", 3, T.B2B, "Gặp gỡ giao thương B2B – phiên 2", "", []),
    (9, "15:45", "16:45", 0, T.SIGNING, "Lễ ký kết biên bản ghi nhớ hợp tác",
     "Ký kết giữa Sở Công Thương tỉnh Cà Mau với sở công thương các tỉnh, thành và với các hệ thống phân phối.",
     [("minh", R.SPEAKER)]),
    (10, "08:00", "17:00", 4, T.EXHIBITION, "Trưng bày sản phẩm OCOP – ngày 2", "", []),
    (10, "08:00", "11:30", 3, T.B2B, "Gặp gỡ giao thương B2B – phiên 3", "", []),
    (10, "08:30", "10:00", 1, T.PANEL, "Thương mại điện tử cho chủ thể OCOP",
     "Đưa sản phẩm lên sàn madeincamau.com, voso.vn, postmart.vn; livestream bán hàng.",
     [("nghia", R.MODERATOR), ("phong", R.PANELIST), ("bao", R.PANELIST)]),
    (10, "10:00", "10:15", 1, T.BREAK, "Giải lao", "", []),
    (10, "10:15", "11:30", 1, T.PANEL, "Bao bì, nhãn mác và câu chuyện sản phẩm đặc sản",
     "“Đặc sản vùng miền” và “OCOP” đặt cạnh nhau: nhận diện địa phương trên bao bì.",
     [("lan", R.SPEAKER), ("hai", R.PANELIST)]),
    (10, "11:30", "13:30", 0, T.BREAK, "Nghỉ trưa", "", []),
    (10, "13:30", "16:30", 3, T.B2B, "Gặp gỡ giao thương B2B – phiên 4", "", []),
    (10, "15:00", "16:00", 0, T.SIGNING, "Ký kết hợp tác giữa doanh nghiệp và nhà phân phối",
     "Các biên bản ghi nhớ giữa doanh nghiệp Cà Mau với chuỗi bán lẻ và nhà phân phối lớn.",
     [("han", R.SPEAKER), ("trang", R.SPEAKER)]),
    (11, "08:00", "15:00", 4, T.EXHIBITION, "Trưng bày sản phẩm OCOP – ngày 3", "", []),
    (11, "08:00", "11:30", 3, T.B2B, "Gặp gỡ giao thương B2B – phiên 5", "", []),
    (11, "08:30", "10:00", 2, T.PANEL, "Xuất khẩu sản phẩm OCOP: tiêu chuẩn và truy xuất nguồn gốc",
     "Yêu cầu của thị trường Úc, Canada, Singapore; mã vùng nuôi và truy xuất nguồn gốc.",
     [("vinh", R.MODERATOR), ("mai", R.PANELIST), ("bao", R.PANELIST)]),
    (11, "10:00", "10:15", 2, T.BREAK, "Giải lao", "", []),
    (11, "10:15", "11:30", 2, T.PANEL, "Liên kết sản xuất – tiêu thụ tôm, cua Cà Mau",
     "Chuỗi liên kết giữa hợp tác xã nuôi tôm sinh thái và doanh nghiệp chế biến.",
     [("nghia", R.MODERATOR), ("bao", R.PANELIST), ("ngoc", R.PANELIST)]),
    (11, "11:30", "13:30", 0, T.BREAK, "Nghỉ trưa", "", []),
    (11, "13:30", "15:00", 3, T.B2B, "Gặp gỡ giao thương B2B – phiên 6", "", []),
    (11, "15:15", "16:30", 0, T.SIGNING, "Ký kết hợp tác, tổng kết và bế mạc hội nghị",
     "Tổng kết kết quả kết nối, ký kết các biên bản còn lại và bế mạc.", [("minh", R.SPEAKER), ("han", R.SPEAKER)]),
]


def at(day: int, hhmm: str) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(2026, 12, day, hour, minute, tzinfo=VN)


def run(ctx) -> None:
    event = ctx.event
    rooms = []
    for position, (name, capacity) in enumerate(ROOMS):
        room, _ = Room.objects.get_or_create(event=event, name=name,
                                             defaults={"capacity": capacity, "position": position})
        rooms.append(room)
    speakers = {}
    for key, (name, title, org) in SPEAKERS.items():
        speakers[key], _ = Speaker.objects.get_or_create(event=event, name=name,
                                                         defaults={"title": title, "organization": org})
    for day, start, end, room_index, type_, title, description, links in SESSIONS:
        session, _ = Session.objects.get_or_create(
            event=event, title=title, starts_at=at(day, start),
            defaults={"ends_at": at(day, end), "room": rooms[room_index], "type": type_,
                      "description": description, "language": Session.Language.VI},
        )
        for position, (key, role) in enumerate(links):
            SessionSpeaker.objects.get_or_create(session=session, speaker=speakers[key],
                                                 defaults={"role": role, "position": position})
    if services.agenda_for(event).version == 0:
        services.publish(event=event, actor=ctx.users.get("organizer"))
