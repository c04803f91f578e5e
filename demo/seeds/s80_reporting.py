"""The department's text of the official report ("Báo cáo kết quả Hội nghị …"), as its staff would write it, so the
demo organizer can make the DOCX and PDF at once. The figures come from the other seeds' data."""

from __future__ import annotations

from reporting.models import OfficialReportText

TEXT = {
    "parent_body": "UBND tỉnh Cà Mau",
    "issuing_body": "Sở Công Thương tỉnh Cà Mau",
    "symbol": "BC-SCT",
    "place": "Cà Mau",
    "opening": (
        "Thực hiện Kế hoạch xúc tiến thương mại năm 2026 của UBND tỉnh, Sở Công Thương tổ chức Hội nghị kết nối "
        "cung cầu sản phẩm OCOP tỉnh Cà Mau năm 2026, nhằm giới thiệu sản phẩm OCOP của tỉnh với hệ thống phân phối, "
        "siêu thị và sàn thương mại điện tử trong và ngoài tỉnh.\n"
        "Sở Công Thương báo cáo kết quả tổ chức Hội nghị như sau:"
    ),
    "assessment": (
        "Hội nghị được tổ chức chu đáo, đúng kế hoạch; các doanh nghiệp, hợp tác xã có cơ hội gặp gỡ trực tiếp nhà "
        "phân phối và ký kết biên bản hợp tác.\n"
        "Một số chủ thể còn hạn chế về bao bì, truy xuất nguồn gốc và năng lực cung ứng ổn định."
    ),
    "proposals": (
        "Đề nghị UBND tỉnh tiếp tục bố trí kinh phí xúc tiến thương mại cho sản phẩm OCOP năm 2027.\n"
        "Đề nghị các doanh nghiệp, hợp tác xã và nhà phân phối giữ liên hệ thường xuyên để các biên bản ký kết được "
        "triển khai trên thực tế."
    ),
    "recipients": "- Bộ Công Thương (b/c);\n- UBND tỉnh (b/c);\n- Ban Giám đốc Sở;\n- Lưu: VT, QLTM.",
    "signer_position": "Giám đốc",
    "signer_name": "Trần Thị Ngọc Hân",
}


def run(ctx) -> None:
    OfficialReportText.objects.get_or_create(event=ctx.event, defaults=TEXT)
