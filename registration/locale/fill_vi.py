"""Fill the Vietnamese catalog from this table (run after makemessages): python registration/locale/fill_vi.py"""

from pathlib import Path

import polib

VI = {
    "Device token (shown only now, copy it into the scanner): %(token)s":
        "Mã truy cập của thiết bị (chỉ hiện lần này, hãy sao chép vào máy quét): %(token)s",
    "Issue a new token (the old one stops working)": "Cấp mã truy cập mới (mã cũ hết hiệu lực)",
    "New token for %(name)s: %(token)s": "Mã truy cập mới cho %(name)s: %(token)s",
    "public key": "khóa công khai",
    "Check-in desk": "Bàn check-in",
    "Check-in dashboard": "Bảng theo dõi check-in",
    "Print badges": "In thẻ",
    "My badge": "Thẻ của tôi",
    "checked in": "đã check-in",
    "Registration, badges and check-in": "Đăng ký, thẻ và check-in",
    "badge signing key": "khóa ký thẻ",
    "badge signing keys": "khóa ký thẻ",
    "issue number": "lần cấp",
    "issued": "ngày cấp",
    "reissued": "ngày cấp lại",
    "gate": "cổng",
    "badge": "thẻ",
    "badges": "thẻ",
    "revoked badge token": "mã thẻ đã thu hồi",
    "revoked badge tokens": "mã thẻ đã thu hồi",
    "One A6 badge per page": "Mỗi trang một thẻ A6",
    "A4 sheet, 4 × A6": "Tờ A4, 4 thẻ A6",
    "A4 sheet, 8 × A7": "Tờ A4, 8 thẻ A7",
    "Queued": "Đang chờ",
    "Running": "Đang chạy",
    "Done": "Xong",
    "Failed": "Thất bại",
    "layout": "bố cục",
    "roles": "vai trò",
    "statuses": "trạng thái",
    "status": "trạng thái",
    "badge printing job": "lượt in thẻ",
    "badge printing jobs": "lượt in thẻ",
    "OK": "OK",
    "Already checked in": "Đã check-in",
    "Invalid code": "Mã không hợp lệ",
    "Forged code": "Mã giả mạo",
    "Revoked badge": "Thẻ đã thu hồi",
    "Wrong event": "Sai sự kiện",
    "Not approved": "Chưa được duyệt",
    "name": "tên",
    "token starts with": "mã bắt đầu bằng",
    "active": "đang hoạt động",
    "last seen": "hoạt động lần cuối",
    "check-in device": "thiết bị check-in",
    "check-in devices": "thiết bị check-in",
    "time": "thời điểm",
    "check-in": "lượt check-in",
    "check-ins": "lượt check-in",
    "scan": "lượt quét",
    "scans": "lượt quét",
    # Registration model (shared with sign-up)
    "Supermarket chain": "Chuỗi siêu thị",
    "Distributor": "Nhà phân phối",
    "Wholesaler": "Đại lý bán sỉ",
    "E-commerce platform": "Sàn thương mại điện tử",
    "Exporter": "Doanh nghiệp xuất khẩu",
    "Hotel, restaurant, catering (HoReCa)": "Khách sạn, nhà hàng, suất ăn (HoReCa)",
    "Other": "Khác",
    "Buyer": "Người mua",
    "Exhibitor staff": "Nhân viên gian hàng",
    "Speaker": "Diễn giả",
    "Press": "Báo chí",
    "Organizer staff": "Ban tổ chức",
    "Awaiting approval": "Chờ duyệt",
    "Approved": "Đã duyệt",
    "On the waiting list": "Trong danh sách chờ",
    "Rejected": "Bị từ chối",
    "Cancelled": "Đã hủy",
    "role": "vai trò",
    "full name": "họ và tên",
    "company": "công ty",
    "buyer type": "loại hình người mua",
    "job title": "chức vụ",
    "phone": "điện thoại",
    "email": "email",
    "province": "tỉnh, thành phố",
    "product groups of interest": "nhóm sản phẩm quan tâm",
    "what you are looking for": "nhu cầu tìm kiếm",
    "answers to the organizer's questions": "trả lời câu hỏi của ban tổ chức",
    "registration": "đăng ký",
    "registrations": "đăng ký",
    # badges and check-in pages
    "Printing failed; please try again.": "In thẻ thất bại; vui lòng thử lại.",
    "%(done)s of %(total)s badges": "%(done)s trên %(total)s thẻ",
    "Download PDF": "Tải PDF",
    "Checked in": "Đã check-in",
    "registered (approved)": "đã đăng ký (đã duyệt)",
    "By role": "Theo vai trò",
    "Role": "Vai trò",
    "Registered": "Đã đăng ký",
    "No registrations yet.": "Chưa có đăng ký nào.",
    "By gate": "Theo cổng",
    "Gate": "Cổng",
    "Nobody checked in yet.": "Chưa có ai check-in.",
    "Per 15 minutes": "Theo từng 15 phút",
    "From": "Từ",
    "Type at least two characters.": "Nhập ít nhất hai ký tự.",
    "Nobody found for “%(query)s”.": "Không tìm thấy ai với “%(query)s”.",
    "checked in at %(time)s, gate %(gate)s": "đã check-in lúc %(time)s, cổng %(gate)s",
    "Check in %(name)s": "Check-in cho %(name)s",
    "Check in": "Check-in",
    "ERROR": "LỖI",
    "UNDONE": "ĐÃ HOÀN TÁC",
    "The check-in of %(name)s was undone.": "Đã hoàn tác lượt check-in của %(name)s.",
    "Checked in at %(time)s, gate %(gate)s.": "Đã check-in lúc %(time)s, cổng %(gate)s.",
    "Last check-in at this gate: <strong>%(name)s</strong> at %(time)s.":
        "Lượt check-in gần nhất tại cổng này: <strong>%(name)s</strong> lúc %(time)s.",
    "Undo last check-in": "Hoàn tác lượt check-in gần nhất",
    "You have no approved registration for this event yet, so there is no badge to download.":
        "Bạn chưa có đăng ký được duyệt cho sự kiện này nên chưa có thẻ để tải về.",
    "Back to the event": "Quay lại sự kiện",
    "Layout": "Bố cục",
    "Roles (none ticked: all roles)": "Vai trò (không chọn: tất cả vai trò)",
    "Registration status (none ticked: approved only)": "Trạng thái đăng ký (không chọn: chỉ đã duyệt)",
    "Generate PDF": "Tạo PDF",
    "Recent print jobs": "Các lượt in gần đây",
    "No print jobs yet.": "Chưa có lượt in nào.",
    "Live: updates arrive without reloading.": "Trực tiếp: số liệu tự cập nhật, không cần tải lại trang.",
    "Connection lost; reconnecting…": "Mất kết nối; đang kết nối lại…",
    "Connecting…": "Đang kết nối…",
    "Open the check-in desk": "Mở bàn check-in",
    "NO CONNECTION": "MẤT KẾT NỐI",
    "The server did not answer. Check the network and scan again.":
        "Máy chủ không phản hồi. Kiểm tra mạng rồi quét lại.",
    "The camera could not be opened. Allow camera access or use a scanner.":
        "Không mở được camera. Hãy cho phép truy cập camera hoặc dùng máy quét.",
    "Scan": "Quét",
    "Each desk at each entrance uses its own gate name.": "Mỗi bàn ở mỗi lối vào dùng một tên cổng riêng.",
    "Badge code (scan, or type and press Enter)": "Mã thẻ (quét, hoặc gõ rồi nhấn Enter)",
    "Use camera": "Dùng camera",
    "Stop camera": "Tắt camera",
    "Result": "Kết quả",
    "Ready": "Sẵn sàng",
    "Scan a badge to check its holder in.": "Quét thẻ để check-in cho người mang thẻ.",
    "Find a person (lost badge)": "Tìm người (mất thẻ)",
    "Name, company or phone (tone marks optional)": "Tên, công ty hoặc số điện thoại (có dấu hoặc không dấu)",
    "Search": "Tìm",
    "ALREADY CHECKED IN": "ĐÃ CHECK-IN",
    "INVALID": "KHÔNG HỢP LỆ",
    "REVOKED": "ĐÃ THU HỒI",
    "WRONG EVENT": "SAI SỰ KIỆN",
    "NOT APPROVED": "CHƯA ĐƯỢC DUYỆT",
    "Welcome! The badge is valid.": "Xin chào! Thẻ hợp lệ.",
    "This badge was already used to enter.": "Thẻ này đã được dùng để vào cửa.",
    "The code could not be read. Scan again or look the person up by name.":
        "Không đọc được mã. Quét lại hoặc tìm người theo tên.",
    "The code's signature is not genuine. Do not admit; call a supervisor.":
        "Chữ ký của mã không đúng. Không cho vào; hãy gọi người phụ trách.",
    "This badge was replaced by a newer one. Ask for the new badge.":
        "Thẻ này đã được thay bằng thẻ mới. Hãy đề nghị xuất trình thẻ mới.",
    "This badge is for another event.": "Thẻ này thuộc sự kiện khác.",
    "This registration is not approved.": "Đăng ký này chưa được duyệt.",
    "Choose a gate (1–40 characters) before scanning.": "Chọn cổng (1–40 ký tự) trước khi quét.",
    "The request was incomplete. Reload the page and scan again.":
        "Yêu cầu không đầy đủ. Tải lại trang rồi quét lại.",
    "Nothing to undo: no check-in by you at this gate in the last 15 minutes.":
        "Không có gì để hoàn tác: bạn chưa check-in cho ai tại cổng này trong 15 phút qua.",
    "No such registration at this event.": "Không có đăng ký này ở sự kiện.",
    "The request could not be processed.": "Không xử lý được yêu cầu.",
    "No badge for you here.": "Không có thẻ của bạn ở đây.",
    "Log in with the email address you registered with to download your badge.":
        "Đăng nhập bằng địa chỉ email bạn đã dùng để đăng ký để tải thẻ.",
    "Log in": "Đăng nhập",
    "Reissue (lost badge): the old QR code stops working": "Cấp lại thẻ (mất thẻ): mã QR cũ hết hiệu lực",
    "%(n)d badge(s) reissued; print the new ones.": "Đã cấp lại %(n)d thẻ; hãy in thẻ mới.",
    # --- offline desk (issue 10) ---
    "desk list version": "phiên bản danh sách của bàn",
    "desk list versions": "phiên bản danh sách của bàn",
    "last sync": "lần đồng bộ gần nhất",
    "scans waiting to upload": "lượt quét chờ gửi",
    "list version": "phiên bản danh sách",
    "desk report": "báo cáo của bàn check-in",
    "desk reports": "báo cáo của bàn check-in",
    "check-in conflict": "xung đột check-in",
    "check-in conflicts": "xung đột check-in",
    "Desks": "Các bàn check-in",
    "Staff": "Nhân viên",
    "Last sync": "Đồng bộ gần nhất",
    "Scans waiting to upload": "Lượt quét chờ gửi",
    "No desk has synced yet.": "Chưa có bàn nào đồng bộ.",
    "Double admissions (offline conflicts)": "Cho vào hai lần (xung đột khi mất mạng)",
    "The same badge was admitted at two desks while offline. The earliest admission counts; the other is "
    "listed here.":
        "Cùng một thẻ đã được cho vào ở hai bàn khi mất mạng. Lượt sớm nhất được tính; lượt còn lại được "
        "liệt kê ở đây.",
    "Person": "Người tham dự",
    "Counted admission": "Lượt được tính",
    "Other admission": "Lượt còn lại",
    "No conflicts.": "Không có xung đột.",
    "Desk status": "Trạng thái bàn check-in",
    "Network": "Mạng",
    "Online": "Trực tuyến",
    "never": "chưa bao giờ",
    "Local list updated": "Danh sách trên máy cập nhật",
    "Check-in": "Check-in",
    "NOT IN LIST": "KHÔNG CÓ TRONG DANH SÁCH",
    "NO LOCAL LIST": "CHƯA CÓ DANH SÁCH",
    "Welcome! The badge is valid (checked on this device).":
        "Xin chào! Thẻ hợp lệ (đã kiểm tra trên thiết bị này).",
    "This badge is for another event, or its code is not genuine.":
        "Thẻ này thuộc sự kiện khác, hoặc mã không chính chủ.",
    "The signature is genuine but this badge is newer than the desk's list. Do not admit yet: check the "
    "person's papers or call a supervisor.":
        "Chữ ký hợp lệ nhưng thẻ này mới hơn danh sách của bàn. Chưa cho vào: kiểm tra giấy tờ của người "
        "này hoặc gọi người giám sát.",
    "This desk has no local list yet: open it once while online.":
        "Bàn này chưa có danh sách trên máy: hãy mở trang một lần khi có mạng.",
    "OFFLINE – checked on this device, will be sent when the network is back":
        "NGOẠI TUYẾN – đã kiểm tra trên thiết bị này, sẽ gửi khi có mạng trở lại",
    "OFFLINE": "NGOẠI TUYẾN",
    "just now": "vừa xong",
    "%(n)s min ago": "%(n)s phút trước",
    "%(n)s scans made offline have not been sent yet and would be lost. Log out anyway?":
        "%(n)s lượt quét khi mất mạng chưa được gửi và sẽ bị mất. Vẫn đăng xuất?",

}

if __name__ == "__main__":
    path = Path(__file__).parent / "vi" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid in VI:
            entry.msgstr = VI[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.metadata["Language"] = "vi"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata_is_fuzzy = False
    po.save()
    print("missing:", missing)
