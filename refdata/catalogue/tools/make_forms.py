#!/usr/bin/env python3
"""Generate the downloadable form files (DOCX) of the demo procedure catalogue.

Usage (from the repository root):

    python3 refdata/catalogue/tools/make_forms.py

Only the Python standard library is used: every form is described in FORMS
below and rendered into hand-written WordprocessingML, then zipped with fixed
timestamps so that re-running the script produces byte-identical files.

The forms are the project's own renditions of the layout and fields of the
public administrative forms (Vietnamese legal texts and their forms are not
copyright-protected, Art. 15 Law on Intellectual Property 2005). They are meant
for a demo portal: always check the form currently prescribed by law before
using one for a real application.
"""

import json
import os
import sys
import unicodedata
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOGUE = os.path.dirname(HERE)
OUT_DIR = os.path.join(CATALOGUE, "forms")
PROCEDURES = os.path.join(CATALOGUE, "procedures.json")

ZIP_DATE = (2026, 1, 1, 0, 0, 0)

# A4 portrait, margins 2 cm top/bottom/right and 3 cm left (usual for Vietnamese forms).
PAGE_W, PAGE_H = 11906, 16838
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 1701, 1134, 1134, 1134
TEXT_W = PAGE_W - MARGIN_L - MARGIN_R  # 9071 twips
HALF = TEXT_W // 2

DATE_LINE = "Làm tại ……………………, ngày …… tháng …… năm ……"
SIGN_NOTE = "(Ký, ghi rõ họ, chữ đệm, tên)"
BOX = "☐"


# --------------------------------------------------------------------------- form DSL
def field(label):
    return ("field", label)


def field2(left, right):
    return ("field2", left, right)


def text(t):
    return ("text", t)


def italic(t):
    return ("italic", t)


def heading(t):
    return ("heading", t)


def check(t):
    return ("text", t)


def dots(n=1):
    return ("dots", n)


def table(headers, rows=3, widths=None, first_col=None):
    return ("table", headers, rows, widths, first_col)


def form(title, to, body, pledge=None, signers=(("NGƯỜI YÊU CẦU", SIGN_NOTE),), subtitle=None,
         form_no=None, date_line=DATE_LINE, footer=None):
    return {"title": title, "to": to, "body": body, "pledge": pledge, "signers": list(signers),
            "subtitle": subtitle, "form_no": form_no, "date_line": date_line, "footer": footer}


PLEDGE = ("Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu hoàn toàn trách nhiệm "
          "trước pháp luật về lời khai của mình.")
PLEDGE_HT = ("Tôi cam đoan nội dung đề nghị trên đây là đúng sự thật, được sự thỏa thuận nhất trí của các bên liên quan "
             "theo quy định pháp luật. Tôi chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình.")
PLEDGE_ORG = ("Chúng tôi cam kết chịu trách nhiệm trước pháp luật về tính hợp pháp, chính xác, trung thực của "
              "nội dung đề nghị và hồ sơ kèm theo.")

PERSON = [
    field("Họ, chữ đệm, tên người yêu cầu"),
    field("Nơi cư trú"),
    field("Giấy tờ tùy thân (loại, số, ngày cấp, nơi cấp)"),
    field2("Số định danh cá nhân", "Điện thoại"),
]

UBND_XA = "Kính gửi: Ủy ban nhân dân xã/phường ……………………………, tỉnh Thanh Hóa"
CA_XA = "Kính gửi: Công an xã/phường ……………………………, tỉnh Thanh Hóa"


def generic(title, to, fields, pledge=PLEDGE, signer="NGƯỜI ĐỀ NGHỊ", person=None, **kw):
    """A generic 'Đơn đề nghị' / 'Tờ khai': applicant block, specific fields, pledge, signature."""
    body = list(PERSON if person is None else person) + list(fields)
    return form(title, to, body, pledge, ((signer, SIGN_NOTE),), **kw)


def org_block(kind="doanh nghiệp"):
    return [
        field(f"Tên {kind}"),
        field("Mã số doanh nghiệp/mã số thuế (nếu có)"),
        field("Địa chỉ trụ sở"),
        field2("Điện thoại", "Thư điện tử"),
        field("Người đại diện theo pháp luật (họ, chữ đệm, tên; chức danh)"),
        field("Số định danh cá nhân của người đại diện"),
    ]


ORG_SIGN = (("NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT", "(Ký, ghi rõ họ, chữ đệm, tên; đóng dấu nếu có)"),)

# --------------------------------------------------------------------------- the forms
FORMS = {}

# ---- 1. Khai sinh (detailed)
FORMS["1.001193-to-khai-dang-ky-khai-sinh.docx"] = form(
    "TỜ KHAI ĐĂNG KÝ KHAI SINH", UBND_XA,
    PERSON + [
        field("Quan hệ với người được khai sinh"),
        heading("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:"),
        field("Họ, chữ đệm, tên"),
        field("Ngày, tháng, năm sinh (ghi bằng số)"),
        field("Ghi bằng chữ"),
        field2("Giới tính", "Dân tộc"),
        field("Quốc tịch"),
        field("Nơi sinh"),
        field("Quê quán"),
        field("Số định danh cá nhân (nếu đã có)"),
        heading("Thông tin về người mẹ:"),
        field("Họ, chữ đệm, tên người mẹ"),
        field2("Năm sinh", "Dân tộc"),
        field2("Quốc tịch", "Số định danh cá nhân"),
        field("Nơi cư trú"),
        heading("Thông tin về người cha:"),
        field("Họ, chữ đệm, tên người cha"),
        field2("Năm sinh", "Dân tộc"),
        field2("Quốc tịch", "Số định danh cá nhân"),
        field("Nơi cư trú"),
        check(f"Đề nghị cấp bản sao Giấy khai sinh:   Có {BOX}     Không {BOX}     Số lượng: ……… bản"),
    ],
    PLEDGE_HT, (("NGƯỜI YÊU CẦU", SIGN_NOTE),),
    footer="Ghi chú: Tờ khai do nhóm dự án dựng lại theo bố cục mẫu tờ khai đăng ký khai sinh; người yêu cầu có thể khai trực tuyến trên Cổng Dịch vụ công quốc gia.")

# ---- 2. Kết hôn (detailed, two-party table)
KH_ROWS = ["Họ, chữ đệm, tên", "Ngày, tháng, năm sinh", "Dân tộc", "Quốc tịch", "Nơi cư trú",
           "Giấy tờ tùy thân (loại, số)", "Số định danh cá nhân", "Kết hôn lần thứ mấy"]
FORMS["1.000894-to-khai-dang-ky-ket-hon.docx"] = form(
    "TỜ KHAI ĐĂNG KÝ KẾT HÔN", UBND_XA,
    [table(["Thông tin", "Bên nữ", "Bên nam"], len(KH_ROWS), [2900, 3085, 3086], KH_ROWS),
     text("Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự nguyện, "
          "không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam."),
     text("Chúng tôi chịu hoàn toàn trách nhiệm trước pháp luật về lời cam đoan của mình."),
     check(f"Đề nghị cấp bản sao Trích lục kết hôn:   Có {BOX}     Không {BOX}     Số lượng: ……… bản")],
    None, (("BÊN NỮ", SIGN_NOTE), ("BÊN NAM", SIGN_NOTE)))

# ---- 3. Thường trú / tạm trú / xác nhận cư trú: Tờ khai CT01 (detailed)
CT01 = form(
    "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", CA_XA,
    [field("1. Họ, chữ đệm và tên"),
     field("2. Ngày, tháng, năm sinh"),
     field2("3. Giới tính", "4. Số định danh cá nhân"),
     field2("5. Số điện thoại liên hệ", "6. Email"),
     field("7. Họ, chữ đệm và tên chủ hộ"),
     field2("8. Mối quan hệ với chủ hộ", "9. Số định danh cá nhân của chủ hộ"),
     field("10. Nội dung đề nghị (đăng ký thường trú/tạm trú/xác nhận thông tin về cư trú…)"),
     dots(2),
     text("11. Những thành viên trong hộ gia đình cùng thay đổi:"),
     table(["TT", "Họ, chữ đệm và tên", "Ngày, tháng, năm sinh", "Giới tính", "Số định danh cá nhân", "Mối quan hệ với chủ hộ"],
           4, [500, 2300, 1500, 900, 2071, 1800])],
    None,
    (("Ý KIẾN CỦA CHỦ HỘ", "(Ghi rõ nội dung, ký, ghi rõ họ tên)"),
     ("Ý KIẾN CỦA CHỦ SỞ HỮU CHỖ Ở HỢP PHÁP", "(Ghi rõ nội dung, ký, ghi rõ họ tên)"),
     ("Ý KIẾN CỦA CHA, MẸ HOẶC NGƯỜI GIÁM HỘ", "(Đối với người chưa thành niên; ký, ghi rõ họ tên)"),
     ("NGƯỜI KÊ KHAI", "(Ký, ghi rõ họ tên)")),
    form_no="Mẫu CT01", date_line="……………………, ngày …… tháng …… năm ……",
    footer="Ghi chú: Khi nộp hồ sơ trực tuyến, công dân khai biểu mẫu điện tử trên Cổng Dịch vụ công hoặc VNeID, không phải đính kèm tờ khai này.")
for _code in ("1.004222", "1.004194", "1.010041"):
    FORMS[f"{_code}-to-khai-thay-doi-thong-tin-cu-tru-ct01.docx"] = CT01

# ---- 4. Hộ kinh doanh (detailed)
FORMS["1.001612-giay-de-nghi-dang-ky-ho-kinh-doanh.docx"] = form(
    "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",
    "Kính gửi: Cơ quan đăng ký kinh doanh cấp xã ……………………………, tỉnh Thanh Hóa",
    [field("Tôi là (ghi họ, chữ đệm, tên bằng chữ in hoa)"),
     text("Đăng ký hộ kinh doanh với các nội dung sau:"),
     heading("1. Tên hộ kinh doanh (ghi bằng chữ in hoa):"),
     dots(1),
     heading("2. Địa chỉ trụ sở hộ kinh doanh:"),
     field("Số nhà, ngách, hẻm, ngõ, đường phố/tổ/xóm/thôn"),
     field("Xã/Phường"),
     text("Tỉnh Thanh Hóa"),
     field2("Điện thoại", "Thư điện tử (nếu có)"),
     heading("3. Ngành, nghề kinh doanh:"),
     table(["STT", "Tên ngành", "Mã ngành (cấp 4)", "Ngành, nghề kinh doanh chính (đánh dấu X)"], 3, [700, 4571, 1600, 2200]),
     heading("4. Vốn kinh doanh:"),
     field("Tổng số (bằng số; VNĐ)"),
     field("Tổng số (bằng chữ)"),
     field("5. Số lượng lao động (dự kiến)"),
     heading("6. Chủ thể thành lập hộ kinh doanh:"),
     check(f"Cá nhân {BOX}          Các thành viên hộ gia đình {BOX}"),
     heading("7. Thông tin về chủ hộ kinh doanh:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Giới tính"),
     field2("Dân tộc", "Quốc tịch"),
     field("Số định danh cá nhân"),
     field("Địa chỉ liên lạc"),
     heading("8. Thông tin đăng ký thuế:"),
     field("Địa chỉ nhận thông báo thuế (nếu khác địa chỉ trụ sở)"),
     field("Ngày bắt đầu hoạt động kinh doanh (dự kiến)"),
     check(f"Phương pháp tính thuế:   Khoán {BOX}     Kê khai {BOX}")],
    "Tôi cam kết: bản thân không thuộc trường hợp không được đăng ký hộ kinh doanh theo quy định; "
    "trụ sở hộ kinh doanh thuộc quyền sử dụng hợp pháp; chịu trách nhiệm trước pháp luật về tính hợp pháp, "
    "chính xác và trung thực của nội dung đăng ký trên đây.",
    (("CHỦ HỘ KINH DOANH", SIGN_NOTE),))

# ---- 5. Lý lịch tư pháp (detailed)
FORMS["3.000333-to-khai-yeu-cau-cap-phieu-ly-lich-tu-phap.docx"] = form(
    "TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP",
    "Kính gửi: Công an tỉnh Thanh Hóa",
    [field("1. Họ và tên"),
     field2("2. Tên gọi khác (nếu có)", "3. Giới tính"),
     field2("4. Ngày, tháng, năm sinh", "5. Nơi sinh"),
     field2("6. Quốc tịch", "7. Dân tộc"),
     field("8. Nơi thường trú"),
     field("9. Nơi tạm trú"),
     field("10. Giấy tờ tùy thân (Căn cước/Căn cước công dân/Hộ chiếu) số, ngày cấp, nơi cấp"),
     field("11. Họ và tên cha"),
     field("12. Họ và tên mẹ"),
     field("13. Họ và tên vợ/chồng"),
     field2("14. Điện thoại", "Thư điện tử"),
     heading("QUÁ TRÌNH CƯ TRÚ CỦA BẢN THÂN (tính từ khi đủ 14 tuổi)"),
     table(["Từ tháng, năm đến tháng, năm", "Nơi thường trú/tạm trú", "Nghề nghiệp, nơi làm việc"], 5, [2400, 3600, 3071]),
     field("Tình trạng án tích (nếu có)"),
     check(f"Yêu cầu cấp:   Phiếu lý lịch tư pháp số 1 {BOX}     Phiếu lý lịch tư pháp số 2 {BOX}"),
     check(f"Yêu cầu xác nhận về việc bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã "
           f"(đối với Phiếu số 1):   Có {BOX}     Không {BOX}"),
     field("Mục đích sử dụng Phiếu lý lịch tư pháp"),
     field("Số lượng Phiếu yêu cầu cấp"),
     check(f"Hình thức nhận kết quả:   Trực tiếp {BOX}     Qua bưu chính {BOX}     Bản điện tử {BOX}")],
    PLEDGE, (("NGƯỜI KHAI", "(Ký, ghi rõ họ tên)"),),
    subtitle="(Dùng cho cá nhân có yêu cầu cấp Phiếu lý lịch tư pháp)",
    form_no="Mẫu số 01/2025/LLTP")

# ---- 6. Chứng thực (detailed "phiếu yêu cầu")
def phieu_chung_thuc(kind_line, extra):
    return form(
        "PHIẾU YÊU CẦU CHỨNG THỰC", UBND_XA,
        [field("Họ, chữ đệm, tên người yêu cầu chứng thực"),
         field("Giấy tờ tùy thân (loại, số, ngày cấp, nơi cấp)"),
         field("Địa chỉ liên hệ"),
         field2("Điện thoại", "Thư điện tử"),
         heading("Nội dung yêu cầu chứng thực:"),
         check(kind_line)] + extra +
        [field("Yêu cầu khác (nếu có)"),
         text("Tôi cam đoan giấy tờ, văn bản đề nghị chứng thực là hợp pháp; tôi chịu trách nhiệm về tính hợp pháp, "
              "nội dung của bản chính và những thông tin đã cung cấp."),
         heading("Phần dành cho người tiếp nhận:"),
         field2("Ngày, giờ tiếp nhận", "Số chứng thực"),
         field("Người tiếp nhận (ký, ghi rõ họ tên)")],
        None, (("NGƯỜI YÊU CẦU CHỨNG THỰC", SIGN_NOTE),))


FORMS["2.000815-phieu-yeu-cau-chung-thuc-ban-sao.docx"] = phieu_chung_thuc(
    f"{BOX} Chứng thực bản sao từ bản chính   {BOX} Chứng thực chữ ký   {BOX} Chứng thực hợp đồng, giao dịch",
    [field("Tên giấy tờ, văn bản cần chứng thực bản sao"),
     field("Cơ quan, tổ chức cấp bản chính; số, ngày cấp"),
     field2("Số trang của bản chính", "Số bản sao đề nghị chứng thực"),
     check(f"Bản chính do cơ quan nước ngoài cấp:   Có {BOX} (đã hợp pháp hóa lãnh sự {BOX})     Không {BOX}")])
FORMS["2.000884-phieu-yeu-cau-chung-thuc-chu-ky.docx"] = phieu_chung_thuc(
    f"{BOX} Chứng thực chữ ký   {BOX} Chứng thực điểm chỉ   {BOX} Người yêu cầu không thể ký, không thể điểm chỉ",
    [field("Tên giấy tờ, văn bản cần chứng thực chữ ký"),
     field2("Ngôn ngữ của văn bản", "Số bản đề nghị chứng thực"),
     field("Người làm chứng (nếu người yêu cầu không ký, không điểm chỉ được)")])
FORMS["2.001035-phieu-yeu-cau-chung-thuc-hop-dong-giao-dich.docx"] = form(
    "PHIẾU YÊU CẦU CHỨNG THỰC HỢP ĐỒNG, GIAO DỊCH", UBND_XA,
    [field("Họ, chữ đệm, tên người nộp phiếu"),
     field("Giấy tờ tùy thân (loại, số, ngày cấp, nơi cấp)"),
     field("Địa chỉ liên hệ"),
     field("Tên hợp đồng, giao dịch đề nghị chứng thực"),
     field("Các bên tham gia hợp đồng, giao dịch"),
     field("Tài sản liên quan (loại tài sản; số Giấy chứng nhận/giấy tờ về tài sản)"),
     field("Địa chỉ thửa đất, nhà ở (nếu có)"),
     check(f"Đề nghị cơ quan chứng thực soạn thảo hợp đồng, giao dịch:   Có {BOX}     Không {BOX}"),
     field("Số bản đề nghị chứng thực"),
     text("Chúng tôi cam đoan các bên tham gia hợp đồng, giao dịch hoàn toàn tự nguyện; giấy tờ cung cấp là hợp pháp, "
          "tài sản không bị kê biên, ngăn chặn giao dịch; chịu trách nhiệm trước pháp luật về nội dung đã cung cấp."),
     heading("Phần dành cho người tiếp nhận:"),
     field2("Ngày, giờ tiếp nhận", "Người tiếp nhận")],
    None, (("NGƯỜI NỘP PHIẾU", SIGN_NOTE),))
FORMS["2.001019-phieu-yeu-cau-chung-thuc-di-chuc.docx"] = form(
    "PHIẾU YÊU CẦU CHỨNG THỰC DI CHÚC", UBND_XA,
    [field("Họ, chữ đệm, tên người lập di chúc"),
     field2("Ngày, tháng, năm sinh", "Số định danh cá nhân"),
     field("Nơi cư trú"),
     field("Tài sản định đoạt trong di chúc (tóm tắt)"),
     field("Giấy tờ về tài sản (số, ngày cấp)"),
     check(f"Đề nghị cơ quan chứng thực soạn thảo di chúc:   Có {BOX}     Không {BOX}"),
     field("Số bản đề nghị chứng thực"),
     text("Tôi cam đoan tại thời điểm lập di chúc tôi hoàn toàn minh mẫn, sáng suốt, không bị lừa dối, đe dọa hay cưỡng ép.")],
    None, (("NGƯỜI LẬP DI CHÚC", SIGN_NOTE),))

# ---- hộ tịch (generic but specific fields)
FORMS["1.000656-to-khai-dang-ky-khai-tu.docx"] = generic(
    "TỜ KHAI ĐĂNG KÝ KHAI TỬ", UBND_XA,
    [field("Quan hệ với người đã chết"),
     heading("Đề nghị cơ quan đăng ký khai tử cho người có tên dưới đây:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Giới tính"),
     field2("Dân tộc", "Quốc tịch"),
     field("Số định danh cá nhân"),
     field("Nơi cư trú cuối cùng"),
     field("Đã chết vào lúc …… giờ …… phút, ngày …… tháng …… năm ……"),
     field("Nơi chết"),
     field("Nguyên nhân chết"),
     field("Giấy báo tử/Giấy tờ thay Giấy báo tử số …… do …… cấp ngày"),
     check(f"Đề nghị cấp bản sao Trích lục khai tử:   Có {BOX}     Không {BOX}     Số lượng: ……… bản")],
    PLEDGE_HT, "NGƯỜI YÊU CẦU")
FORMS["1.001022-to-khai-dang-ky-nhan-cha-me-con.docx"] = generic(
    "TỜ KHAI ĐĂNG KÝ NHẬN CHA, MẸ, CON", UBND_XA,
    [heading("Thông tin người nhận:"),
     field("Họ, chữ đệm, tên"), field2("Ngày, tháng, năm sinh", "Dân tộc"), field("Nơi cư trú"),
     heading("Thông tin người được nhận là cha/mẹ/con:"),
     field("Họ, chữ đệm, tên"), field2("Ngày, tháng, năm sinh", "Dân tộc"), field("Nơi cư trú"),
     field("Giấy tờ chứng minh quan hệ cha, mẹ, con (nếu có)")],
    PLEDGE_HT, "NGƯỜI YÊU CẦU",
    person=[field("Họ, chữ đệm, tên người yêu cầu"), field("Giấy tờ tùy thân (loại, số, ngày cấp, nơi cấp)")])
FORMS["2.000635-to-khai-cap-ban-sao-trich-luc-ho-tich.docx"] = generic(
    "TỜ KHAI CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH", UBND_XA,
    [field("Quan hệ với người được cấp bản sao"),
     heading("Đề nghị cấp bản sao trích lục hộ tịch của người có tên dưới đây:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Số định danh cá nhân"),
     check(f"Loại việc hộ tịch:  Khai sinh {BOX}  Kết hôn {BOX}  Khai tử {BOX}  Việc khác {BOX} ……………"),
     field("Đã đăng ký tại (cơ quan đăng ký), số …… ngày"),
     field2("Số lượng bản sao", "Mục đích sử dụng")],
    PLEDGE, "NGƯỜI YÊU CẦU")
FORMS["1.004873-to-khai-cap-giay-xac-nhan-tinh-trang-hon-nhan.docx"] = generic(
    "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", UBND_XA,
    [field("Quan hệ với người được cấp Giấy xác nhận"),
     heading("Đề nghị cấp Giấy xác nhận tình trạng hôn nhân cho người có tên dưới đây:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Giới tính"),
     field2("Dân tộc", "Quốc tịch"),
     field("Số định danh cá nhân"),
     field("Nơi cư trú"),
     field("Trong thời gian cư trú tại (ghi địa chỉ, thời gian nếu cần xác nhận cho giai đoạn trước)"),
     field("Tình trạng hôn nhân (chưa kết hôn/đang có vợ, chồng/đã ly hôn/người có vợ, chồng đã chết)"),
     field("Mục đích sử dụng Giấy xác nhận"),
     field("Số lượng Giấy xác nhận đề nghị cấp")],
    PLEDGE, "NGƯỜI YÊU CẦU")
FORMS["1.004859-to-khai-thay-doi-cai-chinh-bo-sung-ho-tich.docx"] = generic(
    "TỜ KHAI ĐĂNG KÝ THAY ĐỔI, CẢI CHÍNH, BỔ SUNG THÔNG TIN HỘ TỊCH, XÁC ĐỊNH LẠI DÂN TỘC", UBND_XA,
    [field("Quan hệ với người được thay đổi, cải chính, bổ sung"),
     heading("Thông tin người được thay đổi, cải chính, bổ sung hộ tịch:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Số định danh cá nhân"),
     field("Nơi cư trú"),
     field("Đã đăng ký (khai sinh/kết hôn…) tại, số …… ngày"),
     field("Nội dung đề nghị thay đổi/cải chính/bổ sung/xác định lại dân tộc: từ"),
     field("thành"),
     field("Lý do"),
     field("Giấy tờ làm căn cứ kèm theo")],
    PLEDGE_HT, "NGƯỜI YÊU CẦU")
FORMS["1.004837-to-khai-dang-ky-giam-ho.docx"] = generic(
    "TỜ KHAI ĐĂNG KÝ GIÁM HỘ", UBND_XA,
    [check(f"Loại giám hộ:   Giám hộ đương nhiên {BOX}     Giám hộ cử {BOX}"),
     heading("Thông tin người giám hộ:"),
     field("Họ, chữ đệm, tên"), field2("Ngày, tháng, năm sinh", "Số định danh cá nhân"), field("Nơi cư trú"),
     heading("Thông tin người được giám hộ:"),
     field("Họ, chữ đệm, tên"), field2("Ngày, tháng, năm sinh", "Số định danh cá nhân"), field("Nơi cư trú"),
     field("Căn cứ (văn bản cử người giám hộ/giấy tờ chứng minh giám hộ đương nhiên)")],
    PLEDGE_HT, "NGƯỜI YÊU CẦU")
FORMS["1.004884-to-khai-dang-ky-lai-khai-sinh.docx"] = generic(
    "TỜ KHAI ĐĂNG KÝ LẠI KHAI SINH", UBND_XA,
    [field("Quan hệ với người được đăng ký lại khai sinh"),
     heading("Đề nghị đăng ký lại khai sinh cho người có tên dưới đây:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Giới tính"),
     field2("Dân tộc", "Quốc tịch"),
     field("Nơi sinh"), field("Quê quán"),
     field("Họ, chữ đệm, tên người mẹ"), field("Họ, chữ đệm, tên người cha"),
     field("Đã đăng ký khai sinh tại (cơ quan), năm"),
     field("Giấy tờ hiện có kèm theo")],
    "Tôi cam đoan các thông tin trên là đúng sự thật, việc khai sinh đã được đăng ký nhưng Sổ hộ tịch và bản chính "
    "Giấy khai sinh đều không còn; tôi đã nộp đủ các giấy tờ hiện có và chịu hoàn toàn trách nhiệm trước pháp luật.",
    "NGƯỜI YÊU CẦU")

# ---- cư trú khác
FORMS["2.001159-phieu-thong-bao-luu-tru.docx"] = generic(
    "PHIẾU THÔNG BÁO LƯU TRÚ", CA_XA,
    [field("Địa chỉ nơi lưu trú"),
     heading("Người đến lưu trú:"),
     table(["TT", "Họ, chữ đệm và tên", "Ngày sinh", "Số định danh cá nhân", "Lý do lưu trú", "Từ ngày đến ngày"],
           4, [500, 2300, 1300, 1971, 1500, 1500])],
    PLEDGE, "NGƯỜI THÔNG BÁO",
    person=[field("Họ, chữ đệm, tên người thông báo (đại diện hộ gia đình/cơ sở lưu trú)"),
            field2("Số định danh cá nhân", "Điện thoại")])

# ---- hộ kinh doanh thay đổi
FORMS["2.000720-giay-de-nghi-thay-doi-noi-dung-dang-ky-ho-kinh-doanh.docx"] = generic(
    "GIẤY ĐỀ NGHỊ ĐĂNG KÝ THAY ĐỔI NỘI DUNG ĐĂNG KÝ HỘ KINH DOANH",
    "Kính gửi: Cơ quan đăng ký kinh doanh cấp xã ……………………………, tỉnh Thanh Hóa",
    [field("Tên hộ kinh doanh"),
     field("Mã số hộ kinh doanh/mã số thuế"),
     field("Địa chỉ trụ sở"),
     heading("Đăng ký thay đổi nội dung sau:"),
     check(f"{BOX} Tên hộ kinh doanh   {BOX} Địa chỉ trụ sở   {BOX} Ngành, nghề   {BOX} Vốn kinh doanh   {BOX} Chủ hộ kinh doanh"),
     field("Nội dung đã đăng ký"),
     field("Nội dung đăng ký thay đổi"),
     field("Lý do thay đổi")],
    "Tôi cam kết chịu trách nhiệm trước pháp luật về tính hợp pháp, chính xác và trung thực của nội dung đăng ký thay đổi.",
    "CHỦ HỘ KINH DOANH",
    person=[field("Tôi là (họ, chữ đệm, tên chủ hộ kinh doanh, chữ in hoa)"), field2("Số định danh cá nhân", "Điện thoại")])

# ---- doanh nghiệp
def giay_de_nghi_dn(loai, extra):
    return form(
        "GIẤY ĐỀ NGHỊ ĐĂNG KÝ DOANH NGHIỆP",
        "Kính gửi: Phòng Đăng ký kinh doanh - Sở Tài chính tỉnh Thanh Hóa",
        [field("Tôi là (ghi họ, chữ đệm, tên bằng chữ in hoa)"),
         text(f"Đăng ký doanh nghiệp do tôi là người đại diện theo pháp luật/chủ doanh nghiệp với các nội dung sau:"),
         check(f"1. Loại hình: {loai}"),
         check(f"Tình trạng thành lập:  Thành lập mới {BOX}   Thành lập trên cơ sở chuyển đổi từ hộ kinh doanh {BOX}"),
         heading("2. Tên doanh nghiệp:"),
         field("Tên doanh nghiệp viết bằng tiếng Việt (chữ in hoa)"),
         field("Tên viết bằng tiếng nước ngoài (nếu có)"),
         field("Tên viết tắt (nếu có)"),
         heading("3. Địa chỉ trụ sở chính:"),
         field("Số nhà, đường phố/thôn, xã/phường, tỉnh Thanh Hóa"),
         field2("Điện thoại", "Thư điện tử"),
         heading("4. Ngành, nghề kinh doanh:"),
         table(["STT", "Tên ngành", "Mã ngành", "Ngành chính"], 3, [700, 5271, 1600, 1500]),
         field("5. Vốn điều lệ/vốn đầu tư (bằng số; VNĐ)"),
         field("Bằng chữ")] + extra +
        [heading("Thông tin đăng ký thuế:"),
         field("Họ, chữ đệm, tên Giám đốc/Tổng giám đốc; điện thoại"),
         field("Họ, chữ đệm, tên Kế toán trưởng/Phụ trách kế toán (nếu có)"),
         field("Ngày bắt đầu hoạt động (dự kiến)"),
         check(f"Phương pháp tính thuế GTGT:  Khấu trừ {BOX}   Trực tiếp trên GTGT {BOX}   Trực tiếp trên doanh thu {BOX}")],
        "Tôi cam kết: trụ sở chính thuộc quyền sử dụng hợp pháp của doanh nghiệp; chịu trách nhiệm trước pháp luật "
        "về tính hợp pháp, chính xác và trung thực của nội dung đăng ký doanh nghiệp trên đây.",
        (("NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT / CHỦ DOANH NGHIỆP", SIGN_NOTE),))


REP = [heading("Người đại diện theo pháp luật:"),
       field("Họ, chữ đệm, tên"), field2("Ngày sinh", "Giới tính"), field2("Chức danh", "Số định danh cá nhân"),
       field("Địa chỉ liên lạc")]
FORMS["2.001610-giay-de-nghi-dang-ky-doanh-nghiep-tu-nhan.docx"] = giay_de_nghi_dn(
    "Doanh nghiệp tư nhân",
    [heading("6. Thông tin về chủ doanh nghiệp tư nhân:"),
     field("Họ, chữ đệm, tên"), field2("Ngày sinh", "Giới tính"), field2("Dân tộc", "Quốc tịch"),
     field("Số định danh cá nhân/số hộ chiếu"), field("Địa chỉ liên lạc")])
FORMS["2.001583-giay-de-nghi-dang-ky-cong-ty-tnhh-mot-thanh-vien.docx"] = giay_de_nghi_dn(
    "Công ty trách nhiệm hữu hạn một thành viên",
    [heading("6. Thông tin về chủ sở hữu:"),
     check(f"Chủ sở hữu là:  Cá nhân {BOX}   Tổ chức {BOX}"),
     field("Họ, chữ đệm, tên/tên tổ chức"),
     field("Số định danh cá nhân/mã số doanh nghiệp"),
     field("Địa chỉ liên lạc/trụ sở")] + REP)
FORMS["2.002043-giay-de-nghi-dang-ky-cong-ty-co-phan.docx"] = giay_de_nghi_dn(
    "Công ty cổ phần",
    [field2("6. Tổng số cổ phần", "Mệnh giá cổ phần (VNĐ)"),
     field("Loại cổ phần, số lượng từng loại (phổ thông, ưu đãi…)"),
     text("(Kèm theo danh sách cổ đông sáng lập và danh sách cổ đông là nhà đầu tư nước ngoài, nếu có)")] + REP)
FORMS["1.009664-van-ban-de-nghi-cap-giay-chung-nhan-dang-ky-dau-tu.docx"] = form(
    "VĂN BẢN ĐỀ NGHỊ CẤP GIẤY CHỨNG NHẬN ĐĂNG KÝ ĐẦU TƯ",
    "Kính gửi: Ban Quản lý Khu kinh tế Nghi Sơn và các khu công nghiệp tỉnh Thanh Hóa",
    [heading("I. Nhà đầu tư"), ] + org_block("nhà đầu tư (tổ chức/cá nhân)") + [
        heading("II. Thông tin về dự án"),
        field("Tên dự án"),
        field("Địa điểm thực hiện (khu kinh tế/khu công nghiệp, lô đất)"),
        field("Mục tiêu, quy mô dự án"),
        field2("Diện tích đất sử dụng (m²)", "Tổng vốn đầu tư (VNĐ)"),
        field("Tiến độ thực hiện dự án"),
        field("Ưu đãi, hỗ trợ đầu tư đề nghị (nếu có)")],
    PLEDGE_ORG, ORG_SIGN)

# ---- xây dựng / đất đai
FORMS["1.013225-don-de-nghi-cap-giay-phep-xay-dung.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
    "Kính gửi: Ủy ban nhân dân xã/phường ……………………………, tỉnh Thanh Hóa",
    [check(f"(Sử dụng cho:  Nhà ở riêng lẻ {BOX}   Công trình cấp III, cấp IV {BOX})"),
     heading("Thông tin về công trình:"),
     field("Tên công trình/loại nhà ở"),
     field("Lô đất số …… ; diện tích (m²)"),
     field("Tại (số nhà, đường phố/thôn, xã/phường)"),
     field("Giấy tờ về quyền sử dụng đất (loại, số, ngày cấp)"),
     field2("Cấp công trình", "Diện tích xây dựng tầng 1 (m²)"),
     field2("Tổng diện tích sàn (m²)", "Chiều cao công trình (m)"),
     field2("Số tầng (kể cả tầng hầm, tầng lửng)", "Cốt xây dựng"),
     field("Đơn vị hoặc người thiết kế; chứng chỉ hành nghề (nếu có)"),
     field("Dự kiến thời gian hoàn thành công trình")],
    "Tôi xin cam kết làm theo đúng giấy phép được cấp, nếu sai tôi xin hoàn toàn chịu trách nhiệm và bị xử lý theo quy định của pháp luật.",
    "NGƯỜI LÀM ĐƠN / CHỦ ĐẦU TƯ",
    person=[field("Chủ đầu tư (họ, chữ đệm, tên/tên tổ chức)"), field("Người đại diện, chức vụ (nếu là tổ chức)"),
            field("Địa chỉ liên hệ"), field2("Số định danh cá nhân/mã số doanh nghiệp", "Điện thoại")])
FORMS["1.013236-don-de-nghi-cap-giay-phep-xay-dung-cong-trinh.docx"] = form(
    "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
    "Kính gửi: Sở Xây dựng tỉnh Thanh Hóa",
    [heading("1. Chủ đầu tư"), ] + org_block("chủ đầu tư") + [
        heading("2. Thông tin công trình"),
        field("Tên dự án, tên công trình"),
        field("Địa điểm xây dựng"),
        field2("Loại, cấp công trình", "Tổng diện tích sàn (m²)"),
        field2("Chiều cao (m)", "Số tầng"),
        field("Văn bản thông báo kết quả thẩm định thiết kế số …… ngày"),
        field("Tổ chức thiết kế; chứng chỉ năng lực"),
        field("Dự kiến thời gian hoàn thành")],
    PLEDGE_ORG, ORG_SIGN)
FORMS["1.013978-don-dang-ky-dat-dai-tai-san-gan-lien-voi-dat.docx"] = generic(
    "ĐƠN ĐĂNG KÝ ĐẤT ĐAI, TÀI SẢN GẮN LIỀN VỚI ĐẤT",
    "Kính gửi: Ủy ban nhân dân xã/phường ……………………………, tỉnh Thanh Hóa",
    [heading("Thông tin thửa đất:"),
     field2("Thửa đất số", "Tờ bản đồ số"),
     field("Địa chỉ thửa đất"),
     field2("Diện tích (m²)", "Sử dụng chung/riêng (m²)"),
     field("Mục đích sử dụng đất"),
     field("Thời điểm bắt đầu sử dụng"),
     field("Nguồn gốc sử dụng"),
     heading("Tài sản gắn liền với đất (nếu có):"),
     field("Loại nhà ở, công trình; diện tích xây dựng; số tầng"),
     check(f"Đề nghị:  Đăng ký đất đai {BOX}   Cấp Giấy chứng nhận {BOX}   Ghi nợ nghĩa vụ tài chính {BOX}"),
     field("Giấy tờ nộp kèm theo")],
    PLEDGE, "NGƯỜI VIẾT ĐƠN",
    person=[field("Người sử dụng đất, chủ sở hữu tài sản (họ, chữ đệm, tên)"), field2("Năm sinh", "Số định danh cá nhân"),
            field("Địa chỉ thường trú")])
FORMS["1.013831-don-dang-ky-bien-dong-dat-dai.docx"] = generic(
    "ĐƠN ĐĂNG KÝ BIẾN ĐỘNG ĐẤT ĐAI, TÀI SẢN GẮN LIỀN VỚI ĐẤT",
    "Kính gửi: Văn phòng đăng ký đất đai tỉnh Thanh Hóa (Chi nhánh ……………………………)",
    [heading("Giấy chứng nhận đã cấp:"),
     field2("Số vào sổ cấp GCN", "Số phát hành"),
     field2("Thửa đất số", "Tờ bản đồ số"),
     field("Địa chỉ thửa đất"),
     heading("Nội dung biến động:"),
     check(f"{BOX} Chuyển nhượng  {BOX} Thừa kế  {BOX} Tặng cho  {BOX} Chuyển đổi  {BOX} Góp vốn  {BOX} Khác ……………"),
     field("Nội dung trước biến động"),
     field("Nội dung sau biến động"),
     field("Lý do biến động; hợp đồng/văn bản số …… công chứng, chứng thực ngày"),
     check(f"Đề nghị cấp Giấy chứng nhận mới:  Có {BOX}   Không {BOX}"),
     field("Giấy tờ nộp kèm theo")],
    PLEDGE, "NGƯỜI VIẾT ĐƠN",
    person=[field("Người sử dụng đất/người nhận chuyển quyền (họ, chữ đệm, tên)"), field2("Năm sinh", "Số định danh cá nhân"),
            field("Địa chỉ")])
FORMS["1.001662-to-khai-dang-ky-khai-thac-nuoc-duoi-dat.docx"] = generic(
    "TỜ KHAI ĐĂNG KÝ KHAI THÁC NƯỚC DƯỚI ĐẤT", UBND_XA,
    [heading("Thông tin công trình khai thác:"),
     field("Vị trí công trình (thôn, xã/phường)"),
     field2("Số giếng khai thác", "Chiều sâu giếng (m)"),
     field2("Lưu lượng khai thác (m³/ngày đêm)", "Mục đích sử dụng nước"),
     field("Thời gian bắt đầu khai thác")],
    PLEDGE, "TỔ CHỨC/CÁ NHÂN ĐĂNG KÝ")

# ---- bảo trợ xã hội, người có công, gia đình
FORMS["1.001776-to-khai-de-nghi-tro-cap-xa-hoi.docx"] = generic(
    "TỜ KHAI ĐỀ NGHỊ TRỢ GIÚP XÃ HỘI", UBND_XA,
    [heading("Thông tin đối tượng đề nghị trợ cấp:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Giới tính"),
     field("Số định danh cá nhân"),
     field("Nơi cư trú"),
     check(f"Thuộc diện:  Trẻ em mồ côi {BOX}  Người cao tuổi {BOX}  Người khuyết tật {BOX}  Người đơn thân nghèo nuôi con {BOX}  Khác {BOX}"),
     field("Đang hưởng chế độ nào khác (lương hưu, trợ cấp bảo hiểm xã hội, ưu đãi người có công…)"),
     field("Tình trạng hôn nhân, hoàn cảnh gia đình"),
     check(f"Hình thức nhận trợ cấp:  Tiền mặt {BOX}   Tài khoản ngân hàng {BOX} số ……………………")],
    PLEDGE, "NGƯỜI KHAI",
    person=[field("Họ, chữ đệm, tên người khai (đối tượng hoặc người giám hộ)"), field2("Số định danh cá nhân", "Điện thoại"),
            field("Quan hệ với đối tượng")])
FORMS["1.001699-don-de-nghi-xac-dinh-muc-do-khuyet-tat.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ XÁC ĐỊNH, XÁC ĐỊNH LẠI MỨC ĐỘ KHUYẾT TẬT", UBND_XA,
    [heading("Thông tin người được xác định mức độ khuyết tật:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Giới tính"),
     field("Số định danh cá nhân"),
     field("Nơi cư trú"),
     check(f"Đề nghị:  Xác định mức độ khuyết tật {BOX}   Xác định lại mức độ khuyết tật {BOX}"),
     field("Dạng khuyết tật, tình trạng hiện nay (mô tả ngắn)"),
     field("Giấy tờ y tế kèm theo (nếu có)")],
    PLEDGE, "NGƯỜI VIẾT ĐƠN")
FORMS["1.001731-to-khai-de-nghi-ho-tro-chi-phi-mai-tang.docx"] = generic(
    "TỜ KHAI ĐỀ NGHỊ HỖ TRỢ CHI PHÍ MAI TÁNG", UBND_XA,
    [heading("Thông tin người đã chết:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Ngày chết"),
     field("Nơi cư trú"),
     field("Thuộc đối tượng bảo trợ xã hội (ghi rõ diện)"),
     heading("Thông tin người, cơ quan tổ chức mai táng:"),
     field("Quan hệ với người đã chết"),
     check(f"Hình thức nhận hỗ trợ:  Tiền mặt {BOX}   Tài khoản ngân hàng {BOX} số ……………………")],
    PLEDGE, "NGƯỜI KHAI")
FORMS["1.010833-don-de-nghi-cap-giay-xac-nhan-than-nhan-nguoi-co-cong.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ CẤP GIẤY XÁC NHẬN THÂN NHÂN CỦA NGƯỜI CÓ CÔNG", UBND_XA,
    [heading("Thông tin người có công:"),
     field("Họ, chữ đệm, tên"),
     field2("Năm sinh", "Diện người có công (liệt sĩ, thương binh…)"),
     field("Số hồ sơ/quyết định công nhận (nếu biết)"),
     field("Quan hệ của người đề nghị với người có công"),
     field("Mục đích sử dụng giấy xác nhận")],
    PLEDGE, "NGƯỜI ĐỀ NGHỊ")
FORMS["1.012084-don-de-nghi-cam-tiep-xuc.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ ÁP DỤNG BIỆN PHÁP CẤM TIẾP XÚC",
    "Kính gửi: Chủ tịch Ủy ban nhân dân xã/phường ……………………………, tỉnh Thanh Hóa",
    [field("Quan hệ với người bị bạo lực gia đình (nếu không phải là người bị bạo lực)"),
     heading("Người có hành vi bạo lực gia đình:"),
     field("Họ, chữ đệm, tên"), field2("Năm sinh", "Quan hệ với người bị bạo lực"), field("Nơi cư trú"),
     heading("Nội dung sự việc:"),
     field("Thời gian, địa điểm xảy ra hành vi bạo lực"),
     field("Mô tả hành vi bạo lực và thiệt hại (nếu có)"),
     dots(2),
     field("Đề nghị cấm tiếp xúc trong thời hạn (tối đa 03 ngày)")],
    PLEDGE, "NGƯỜI LÀM ĐƠN")

# ---- ATTP, tôn giáo, văn hóa, công thương, y tế, giáo dục, nội vụ, KH&CN, tư pháp, thủy sản
FORMS["1.013855-don-de-nghi-cap-giay-chung-nhan-du-dieu-kien-attp.docx"] = form(
    "ĐƠN ĐỀ NGHỊ CẤP GIẤY CHỨNG NHẬN CƠ SỞ ĐỦ ĐIỀU KIỆN AN TOÀN THỰC PHẨM", UBND_XA,
    org_block("cơ sở (hộ kinh doanh/doanh nghiệp)") + [
        field("Địa chỉ cơ sở sản xuất, kinh doanh"),
        check(f"Loại hình:  Sản xuất thực phẩm {BOX}   Dịch vụ ăn uống dưới 200 suất {BOX}   Dịch vụ ăn uống từ 200 suất {BOX}"),
        field("Sản phẩm/món ăn chính"),
        field("Số người trực tiếp sản xuất, chế biến, phục vụ"),
        text("Cơ sở đề nghị được thẩm định và cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm.")],
    PLEDGE_ORG, (("CHỦ CƠ SỞ", "(Ký, ghi rõ họ tên; đóng dấu nếu có)"),))
FORMS["1.012590-van-ban-dang-ky-sinh-hoat-ton-giao-tap-trung.docx"] = generic(
    "VĂN BẢN ĐĂNG KÝ SINH HOẠT TÔN GIÁO TẬP TRUNG", UBND_XA,
    [field("Tên nhóm sinh hoạt tôn giáo tập trung"),
     field("Tôn giáo/tổ chức tôn giáo"),
     field("Địa điểm sinh hoạt (địa chỉ)"),
     field2("Số lượng người tham gia", "Thời gian sinh hoạt (định kỳ)"),
     field("Nội dung sinh hoạt")],
    "Chúng tôi cam kết thực hiện đúng quy định của pháp luật về tín ngưỡng, tôn giáo và chịu trách nhiệm về nội dung đăng ký.",
    "NGƯỜI ĐẠI DIỆN NHÓM",
    person=[field("Họ, chữ đệm, tên người đại diện nhóm"), field2("Ngày sinh", "Số định danh cá nhân"), field("Nơi cư trú")])
FORMS["1.012632-van-ban-dang-ky-hoat-dong-ton-giao.docx"] = form(
    "VĂN BẢN ĐỀ NGHỊ CẤP CHỨNG NHẬN ĐĂNG KÝ HOẠT ĐỘNG TÔN GIÁO",
    "Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa (qua Sở Dân tộc và Tôn giáo)",
    [field("Tên tổ chức đề nghị"),
     field("Tên tôn giáo"),
     field("Người đại diện (họ, chữ đệm, tên; số định danh cá nhân)"),
     field("Địa chỉ trụ sở"),
     field2("Số lượng tín đồ", "Địa bàn hoạt động"),
     field("Tóm tắt quá trình hình thành, phát triển"),
     field("Danh mục hồ sơ kèm theo")],
    PLEDGE_ORG, (("NGƯỜI ĐẠI DIỆN TỔ CHỨC", SIGN_NOTE),))
FORMS["1.009397-van-ban-de-nghi-to-chuc-bieu-dien-nghe-thuat.docx"] = form(
    "VĂN BẢN ĐỀ NGHỊ TỔ CHỨC BIỂU DIỄN NGHỆ THUẬT",
    "Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
    org_block("tổ chức/cá nhân đề nghị") + [
        field("Tên chương trình"),
        field("Thời gian tổ chức (từ ngày, giờ đến ngày, giờ)"),
        field("Địa điểm tổ chức"),
        field2("Thời lượng chương trình (phút)", "Người chịu trách nhiệm nội dung"),
        field("Danh sách người biểu diễn chính"),
        field("Tài liệu kèm theo (kịch bản, danh mục tác phẩm…)")],
    PLEDGE_ORG, ORG_SIGN)
FORMS["1.001029-don-de-nghi-cap-giay-phep-kinh-doanh-karaoke.docx"] = form(
    "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP ĐỦ ĐIỀU KIỆN KINH DOANH DỊCH VỤ KARAOKE",
    "Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
    org_block("doanh nghiệp/hộ kinh doanh") + [
        field("Địa điểm kinh doanh"),
        field2("Số phòng hát", "Diện tích từng phòng (m²)"),
        field("Giấy chứng nhận đủ điều kiện về an ninh, trật tự số …… ngày")],
    PLEDGE_ORG, ORG_SIGN)
FORMS["2.000004-dang-ky-thuc-hien-khuyen-mai.docx"] = form(
    "ĐĂNG KÝ THỰC HIỆN CHƯƠNG TRÌNH KHUYẾN MẠI",
    "Kính gửi: Sở Công Thương tỉnh Thanh Hóa",
    org_block("thương nhân") + [
        field("Tên chương trình khuyến mại"),
        field("Địa bàn (phạm vi) khuyến mại"),
        field("Hình thức khuyến mại (mang tính may rủi)"),
        field("Thời gian khuyến mại (từ ngày đến ngày)"),
        field("Hàng hóa, dịch vụ được khuyến mại"),
        field("Hàng hóa, dịch vụ dùng để khuyến mại; cơ cấu giải thưởng"),
        field("Tổng giá trị giải thưởng (VNĐ)"),
        field("Khách hàng của chương trình khuyến mại")],
    PLEDGE_ORG, ORG_SIGN, subtitle="(Chương trình khuyến mại mang tính may rủi trên địa bàn 01 tỉnh)")
FORMS["1.012271-don-de-nghi-cap-giay-phep-hanh-nghe.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ CẤP MỚI GIẤY PHÉP HÀNH NGHỀ KHÁM BỆNH, CHỮA BỆNH",
    "Kính gửi: Sở Y tế tỉnh Thanh Hóa",
    [field2("Ngày, tháng, năm sinh", "Quốc tịch"),
     check(f"Chức danh chuyên môn đề nghị:  Lương y {BOX}   Người có bài thuốc gia truyền {BOX}   Người có phương pháp chữa bệnh gia truyền {BOX}"),
     field("Văn bằng, giấy chứng nhận chuyên môn (số, ngày cấp, nơi cấp)"),
     field("Phạm vi hành nghề đề nghị"),
     field("Nơi đang hoặc dự kiến hành nghề")],
    PLEDGE, "NGƯỜI LÀM ĐƠN")
FORMS["1.014076-don-de-nghi-cap-giay-chung-nhan-du-dieu-kien-kinh-doanh-duoc.docx"] = form(
    "ĐƠN ĐỀ NGHỊ CẤP GIẤY CHỨNG NHẬN ĐỦ ĐIỀU KIỆN KINH DOANH DƯỢC",
    "Kính gửi: Sở Y tế tỉnh Thanh Hóa",
    org_block("cơ sở kinh doanh dược") + [
        check(f"Loại hình:  Nhà thuốc {BOX}   Quầy thuốc {BOX}   Cơ sở bán buôn thuốc {BOX}   Cơ sở chuyên bán lẻ dược liệu {BOX}"),
        field("Địa điểm kinh doanh"),
        field("Người chịu trách nhiệm chuyên môn; số chứng chỉ hành nghề dược"),
        field("Phạm vi kinh doanh đề nghị"),
        check(f"Đề nghị đồng thời cấp Giấy chứng nhận thực hành tốt (GPP/GDP):  Có {BOX}   Không {BOX}")],
    PLEDGE_ORG, ORG_SIGN)
FORMS["3.000465-don-de-nghi-cap-ban-sao-van-bang-chung-chi.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO VĂN BẰNG, CHỨNG CHỈ TỪ SỔ GỐC",
    "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Thanh Hóa",
    [heading("Thông tin người được cấp văn bằng, chứng chỉ:"),
     field("Họ, chữ đệm, tên"),
     field2("Ngày, tháng, năm sinh", "Nơi sinh"),
     field("Tên văn bằng, chứng chỉ (tốt nghiệp THCS/THPT…)"),
     field2("Năm tốt nghiệp", "Số hiệu, số vào sổ gốc (nếu biết)"),
     field("Trường/cơ sở giáo dục đã học"),
     field2("Số lượng bản sao", "Lý do đề nghị cấp")],
    PLEDGE, "NGƯỜI ĐỀ NGHỊ")
FORMS["1.004889-don-de-nghi-cong-nhan-van-bang.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ CÔNG NHẬN VĂN BẰNG DO CƠ SỞ GIÁO DỤC NƯỚC NGOÀI CẤP",
    "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Thanh Hóa",
    [field("Tên văn bằng"),
     field("Cơ sở giáo dục cấp bằng; quốc gia"),
     field2("Ngày cấp", "Thời gian học (từ … đến …)"),
     check(f"Hình thức học:  Tập trung tại nước ngoài {BOX}   Liên kết/cơ sở nước ngoài tại Việt Nam {BOX}   Trực tuyến {BOX}"),
     field("Mục đích công nhận")],
    PLEDGE, "NGƯỜI ĐỀ NGHỊ")
FORMS["1.014199-van-ban-de-nghi-cap-giay-phep-lao-dong.docx"] = form(
    "VĂN BẢN BÁO CÁO GIẢI TRÌNH NHU CẦU SỬ DỤNG NGƯỜI LAO ĐỘNG NƯỚC NGOÀI VÀ ĐỀ NGHỊ CẤP GIẤY PHÉP LAO ĐỘNG",
    "Kính gửi: Sở Nội vụ tỉnh Thanh Hóa",
    org_block("người sử dụng lao động") + [
        heading("Thông tin người lao động nước ngoài:"),
        field("Họ và tên"),
        field2("Ngày sinh", "Quốc tịch"),
        field2("Số hộ chiếu", "Giới tính"),
        check(f"Vị trí công việc:  Nhà quản lý {BOX}   Giám đốc điều hành {BOX}   Chuyên gia {BOX}   Lao động kỹ thuật {BOX}"),
        field("Chức danh công việc"),
        field("Hình thức làm việc"),
        field("Địa điểm làm việc"),
        field("Thời hạn làm việc (từ ngày đến ngày)"),
        field("Lý do sử dụng người lao động nước ngoài (giải trình nhu cầu)")],
    PLEDGE_ORG, ORG_SIGN)
FORMS["1.014748-de-nghi-huong-tro-cap-that-nghiep.docx"] = generic(
    "ĐỀ NGHỊ HƯỞNG TRỢ CẤP THẤT NGHIỆP",
    "Kính gửi: Trung tâm Dịch vụ việc làm tỉnh Thanh Hóa",
    [field2("Ngày, tháng, năm sinh", "Số sổ bảo hiểm xã hội"),
     field("Tên đơn vị đã làm việc trước khi thất nghiệp"),
     field("Ngày chấm dứt hợp đồng lao động/hợp đồng làm việc; lý do"),
     field("Số tháng đã đóng bảo hiểm thất nghiệp"),
     check(f"Nơi nhận trợ cấp:  Tài khoản ngân hàng {BOX} số …………… tại ……………   Tiền mặt {BOX}"),
     check(f"Có nhu cầu tư vấn, giới thiệu việc làm:  Có {BOX}   Không {BOX}     Học nghề:  Có {BOX}   Không {BOX}")],
    PLEDGE, "NGƯỜI ĐỀ NGHỊ")
FORMS["1.003659-giay-de-nghi-cap-giay-phep-buu-chinh.docx"] = form(
    "GIẤY ĐỀ NGHỊ CẤP GIẤY PHÉP BƯU CHÍNH",
    "Kính gửi: Sở Khoa học và Công nghệ tỉnh Thanh Hóa",
    org_block("doanh nghiệp") + [
        field("Phạm vi cung ứng dịch vụ: nội tỉnh Thanh Hóa"),
        field("Dịch vụ bưu chính đề nghị cấp phép (dịch vụ thư có khối lượng đến 02 kg…)"),
        field("Thời điểm dự kiến bắt đầu cung ứng dịch vụ"),
        field("Danh mục tài liệu kèm theo")],
    PLEDGE_ORG, ORG_SIGN)
FORMS["1.013835-don-de-nghi-dang-ky-hoat-dong-van-phong-cong-chung.docx"] = form(
    "ĐƠN ĐỀ NGHỊ ĐĂNG KÝ HOẠT ĐỘNG VĂN PHÒNG CÔNG CHỨNG",
    "Kính gửi: Sở Tư pháp tỉnh Thanh Hóa",
    [field("Tên Văn phòng công chứng"),
     field("Quyết định cho phép thành lập số …… ngày"),
     field("Địa chỉ trụ sở"),
     field2("Điện thoại", "Thư điện tử"),
     field("Trưởng Văn phòng (họ, chữ đệm, tên; số thẻ công chứng viên)"),
     heading("Danh sách công chứng viên hợp danh, công chứng viên làm việc theo hợp đồng:"),
     table(["TT", "Họ, chữ đệm, tên", "Số quyết định bổ nhiệm", "Hình thức làm việc"], 3, [600, 3500, 2600, 2371])],
    PLEDGE_ORG, (("TRƯỞNG VĂN PHÒNG", SIGN_NOTE),))
FORMS["1.003650-to-khai-dang-ky-tau-ca.docx"] = generic(
    "TỜ KHAI ĐĂNG KÝ TÀU CÁ",
    "Kính gửi: Sở Nông nghiệp và Môi trường tỉnh Thanh Hóa",
    [heading("Thông tin tàu:"),
     field("Tên tàu (nếu có)"),
     field2("Chiều dài lớn nhất Lmax (m)", "Chiều rộng lớn nhất Bmax (m)"),
     field2("Chiều cao mạn D (m)", "Vật liệu vỏ"),
     field2("Tổng công suất máy chính (kW)", "Nghề khai thác"),
     field("Nơi đóng, năm đóng"),
     field("Cảng cá đăng ký (nơi tàu thường xuyên neo đậu)"),
     check(f"Hình thức:  Đóng mới {BOX}   Cải hoán {BOX}   Mua bán/chuyển nhượng {BOX}   Nhập khẩu {BOX}")],
    PLEDGE, "CHỦ TÀU",
    person=[field("Chủ tàu (họ, chữ đệm, tên/tên tổ chức)"), field2("Số định danh cá nhân/mã số doanh nghiệp", "Điện thoại"),
            field("Địa chỉ")])
FORMS["1.014569-don-de-nghi-ho-tro-tau-ca-thiet-hai-do-thien-tai.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ HỖ TRỢ TÀU CÁ THIỆT HẠI DO THIÊN TAI GÂY RA TRÊN BIỂN",
    "Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa (qua Sở Nông nghiệp và Môi trường)",
    [field2("Số đăng ký tàu cá", "Chiều dài lớn nhất (m)"),
     field("Số giấy phép khai thác thủy sản"),
     field("Loại thiên tai, thời gian và vị trí xảy ra thiệt hại"),
     field("Mô tả thiệt hại (vỏ tàu, máy, ngư lưới cụ, trang thiết bị…)"),
     field2("Mức độ thiệt hại (%)", "Giá trị thiệt hại ước tính (VNĐ)"),
     check(f"Hình thức nhận hỗ trợ:  Tài khoản ngân hàng {BOX} số ……………………   Tiền mặt {BOX}")],
    PLEDGE, "CHỦ TÀU",
    person=[field("Chủ tàu (họ, chữ đệm, tên/tên tổ chức)"), field2("Số định danh cá nhân/mã số doanh nghiệp", "Điện thoại"),
            field("Địa chỉ")])
FORMS["3.000347-don-de-nghi-doi-giay-phep-lai-xe.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ ĐỔI GIẤY PHÉP LÁI XE",
    "Kính gửi: Công an tỉnh Thanh Hóa (Phòng Cảnh sát giao thông)",
    [field2("Ngày, tháng, năm sinh", "Quốc tịch"),
     field2("Số giấy phép lái xe", "Hạng"),
     field2("Cơ quan cấp", "Ngày trúng tuyển/ngày cấp"),
     field("Thời hạn có giá trị đến ngày"),
     field("Lý do đổi (hết hạn, hư hỏng, thay đổi thông tin, đổi giấy phép do ngành khác cấp…)"),
     check(f"Hình thức nhận:  Trực tiếp {BOX}   Qua bưu chính {BOX} (địa chỉ: ……………………………)")],
    "Tôi xin cam đoan những điều ghi trên là đúng sự thật; giấy phép lái xe đề nghị đổi không đang bị tạm giữ, tước quyền sử dụng.",
    "NGƯỜI LÀM ĐƠN")
FORMS["3.000348-don-de-nghi-cap-lai-giay-phep-lai-xe.docx"] = generic(
    "ĐƠN ĐỀ NGHỊ CẤP LẠI GIẤY PHÉP LÁI XE",
    "Kính gửi: Công an tỉnh Thanh Hóa (Phòng Cảnh sát giao thông)",
    [field2("Ngày, tháng, năm sinh", "Quốc tịch"),
     field2("Số giấy phép lái xe đã được cấp (nếu nhớ)", "Hạng"),
     field2("Cơ quan cấp", "Năm cấp"),
     check(f"Lý do cấp lại:  Bị mất {BOX}   Quá hạn sử dụng {BOX}   Khác {BOX} ……………"),
     field("Thời gian, địa điểm bị mất (nếu bị mất)")],
    "Tôi xin cam đoan những điều ghi trên là đúng sự thật; nếu sai tôi xin chịu trách nhiệm trước pháp luật.",
    "NGƯỜI LÀM ĐƠN")


# --------------------------------------------------------------------------- WordprocessingML
W_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def nfc(s):
    return unicodedata.normalize("NFC", s)


def run(t, bold=False, italic=False, size=None, caps=False):
    props = ""
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if caps:
        props += "<w:caps/>"
    if size:
        props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(nfc(t))}</w:t></w:r>'


def tab_run():
    return "<w:r><w:tab/></w:r>"


def para(runs, align=None, before=0, after=60, tabs=None, ind_left=None, keep_next=False):
    ppr = ""
    if keep_next:
        ppr += "<w:keepNext/>"
    if tabs:
        ppr += "<w:tabs>" + "".join(
            f'<w:tab w:val="{kind}" w:leader="{leader}" w:pos="{pos}"/>' for kind, leader, pos in tabs) + "</w:tabs>"
    ppr += f'<w:spacing w:before="{before}" w:after="{after}"/>'
    if ind_left is not None:
        ppr += f'<w:ind w:left="{ind_left}"/>'
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{''.join(runs)}</w:p>"


DOT_END = [("left", "dot", TEXT_W)]
DOT_HALF = [("left", "dot", HALF - 150), ("left", "none", HALF), ("left", "dot", TEXT_W)]


def cell(content_xml, width, borders=True, shade=False):
    b = ("<w:tcBorders>" + "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                     for s in ("top", "left", "bottom", "right")) + "</w:tcBorders>") if borders else \
        ("<w:tcBorders>" + "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right")) + "</w:tcBorders>")
    sh = '<w:shd w:val="clear" w:color="auto" w:fill="EDEDED"/>' if shade else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{b}{sh}</w:tcPr>{content_xml}</w:tc>'


def tbl(rows_xml, widths, borders=True):
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    tb = ("<w:tblBorders>" + "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                      for s in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>") \
        if borders else ""
    # Child order follows CT_TblPr (tblW, tblBorders, tblLayout, tblCellMar): Word rejects out-of-order elements.
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>{tb}<w:tblLayout w:type="fixed"/>'
            f'<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            f'<w:tblGrid>{grid}</w:tblGrid>{"".join(rows_xml)}</w:tbl>')


def render_table(headers, nrows, widths, first_col):
    n = len(headers)
    if not widths:
        widths = [TEXT_W // n] * n
        widths[-1] += TEXT_W - sum(widths)
    rows = ["<w:tr>" + "".join(cell(para([run(h, bold=True, size=24)], "center", after=0), w, shade=True)
                               for h, w in zip(headers, widths)) + "</w:tr>"]
    for i in range(nrows):
        cells = []
        for j, w in enumerate(widths):
            content = first_col[i] if (first_col and j == 0) else ""
            cells.append(cell(para([run(content, size=24)] if content else [], after=0, before=60), w))
        rows.append('<w:tr><w:trPr><w:trHeight w:val="420"/></w:trPr>' + "".join(cells) + "</w:tr>")
    return tbl(rows, widths) + para([], after=60)


def render_signers(signers, date_line):
    n = len(signers)
    out = []
    if date_line:
        out.append(para([run(date_line, italic=True)], "center", before=200, after=0, ind_left=HALF - 400))
    if n == 1:
        name, note = signers[0]
        out.append(para([run(name, bold=True)], "center", before=60, after=0, ind_left=HALF - 400, keep_next=True))
        out.append(para([run(note, italic=True)], "center", after=1400, ind_left=HALF - 400))
        return "".join(out)
    cols = 2
    widths = [TEXT_W // cols, TEXT_W - TEXT_W // cols]
    rows = []
    for i in range(0, n, cols):
        pair = signers[i:i + cols]
        cells = []
        for k in range(cols):
            if k < len(pair):
                name, note = pair[k]
                content = (para([run(name, bold=True, size=24)], "center", before=120, after=0) +
                           para([run(note, italic=True, size=22)], "center", after=1200))
            else:
                content = para([])
            cells.append(cell(content, widths[k], borders=False))
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    out.append(tbl(rows, widths, borders=False))
    out.append(para([]))
    return "".join(out)


def render_body(spec):
    x = []
    if spec.get("form_no"):
        x.append(para([run(spec["form_no"], italic=True, size=22)], "right", after=0))
    x.append(para([run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=26)], "center", after=0))
    x.append(para([run("Độc lập - Tự do - Hạnh phúc", bold=True, size=28)], "center", after=0))
    x.append(para([run("―――――――――――――――", size=22)], "center", after=240))
    x.append(para([run(spec["title"], bold=True, size=28)], "center", before=120, after=60 if spec.get("subtitle") else 200))
    if spec.get("subtitle"):
        x.append(para([run(spec["subtitle"], italic=True)], "center", after=200))
    if spec.get("to"):
        x.append(para([run(spec["to"])], "center", after=200))
    for block in spec["body"]:
        kind = block[0]
        if kind == "field":
            x.append(para([run(block[1] + ": "), tab_run()], tabs=DOT_END))
        elif kind == "field2":
            if len(block[1]) > 28 or len(block[2]) > 34:
                # Too long to share one line safely: one dotted line each.
                x.append(para([run(block[1] + ": "), tab_run()], tabs=DOT_END))
                x.append(para([run(block[2] + ": "), tab_run()], tabs=DOT_END))
            else:
                x.append(para([run(block[1] + ": "), tab_run(), tab_run(), run(block[2] + ": "), tab_run()],
                              tabs=DOT_HALF))
        elif kind == "text":
            x.append(para([run(block[1])], "both"))
        elif kind == "italic":
            x.append(para([run(block[1], italic=True)], "both"))
        elif kind == "heading":
            x.append(para([run(block[1], bold=True)], before=120, keep_next=True))
        elif kind == "dots":
            for _ in range(block[1]):
                x.append(para([tab_run()], tabs=DOT_END))
        elif kind == "table":
            x.append(render_table(block[1], block[2], block[3], block[4]))
        else:
            raise ValueError(f"unknown block {kind}")
    if spec.get("pledge"):
        x.append(para([run(spec["pledge"])], "both", before=120))
    x.append(render_signers(spec["signers"], spec.get("date_line")))
    if spec.get("footer"):
        x.append(para([run(spec["footer"], italic=True, size=20)], "both", before=120))
    sect = (f'<w:sectPr><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
            f'<w:pgMar w:top="{MARGIN_T}" w:right="{MARGIN_R}" w:bottom="{MARGIN_B}" w:left="{MARGIN_L}" '
            f'w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W_NS}><w:body>'
            + "".join(x) + sect + "</w:body></w:document>")


STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
          '<w:docDefaults><w:rPrDefault><w:rPr>'
          '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>'
          '<w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/>'
          '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="264" w:lineRule="auto"/></w:pPr>'
          '</w:pPrDefault></w:docDefaults>'
          '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
          '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
          '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
          '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
          '</w:tblCellMar></w:tblPr></w:style>'
          '</w:styles>')

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/word/document.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                 '<Override PartName="/word/styles.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
                 '<Override PartName="/docProps/core.xml" '
                 'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                 '</Types>')

ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" '
             'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
             'Target="word/document.xml"/>'
             '<Relationship Id="rId2" '
             'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
             'Target="docProps/core.xml"/>'
             '</Relationships>')

DOC_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/>'
            '</Relationships>')


def core_xml(title):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{escape(nfc(title))}</dc:title>'
            '<dc:creator>dvc-portal (bản dựng lại biểu mẫu)</dc:creator>'
            '<dc:language>vi-VN</dc:language>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>'
            '</cp:coreProperties>')


def write_docx(path, spec):
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("docProps/core.xml", core_xml(spec["title"])),
        ("word/document.xml", render_body(spec)),
        ("word/_rels/document.xml.rels", DOC_RELS),
        ("word/styles.xml", STYLES),
    ]
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, data.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(tmp, path)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, spec in sorted(FORMS.items()):
        write_docx(os.path.join(OUT_DIR, name), spec)
    # Remove stale generated files that are no longer described here.
    for name in sorted(os.listdir(OUT_DIR)):
        if name.endswith(".docx") and name not in FORMS:
            os.remove(os.path.join(OUT_DIR, name))
    print(f"wrote {len(FORMS)} forms to {os.path.relpath(OUT_DIR)}")
    # Every form referenced by the catalogue must have a description here.
    if os.path.exists(PROCEDURES):
        with open(PROCEDURES, encoding="utf-8") as f:
            catalogue = json.load(f)
        referenced = {fm["file"] for p in catalogue["procedures"] for fm in p["forms"]}
        missing = sorted(referenced - set(FORMS))
        unused = sorted(set(FORMS) - referenced)
        if unused:
            print("warning: forms not referenced by procedures.json: " + ", ".join(unused))
        if missing:
            print("error: procedures.json references forms with no description: " + ", ".join(missing))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
