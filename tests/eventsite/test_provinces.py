from vietnam_provinces import Province

from eventsite.provinces import FORMER_TO_CURRENT, current_choices, current_code_for, fold


def test_provinces_current_units_are_34():
    assert len(current_choices()) == 34


def test_provinces_former_names_cover_all_63_and_map_to_current_units():
    assert len(FORMER_TO_CURRENT) == 63
    current = {int(p.code) for p in Province.iter_all()}
    assert set(FORMER_TO_CURRENT.values()) == current


def test_provinces_mergers_from_domain_notes():
    assert current_code_for("Bạc Liêu") == 96  # into Cà Mau
    assert current_code_for("Sóc Trăng") == 92  # into Cần Thơ city
    assert current_code_for("Hậu Giang") == 92
    assert current_code_for("tỉnh Sóc Trăng") == 92
    assert current_code_for("Thành phố Cần Thơ") == 92


def test_provinces_lookup_ignores_tone_marks_and_case():
    assert current_code_for("soc trang") == 92
    assert current_code_for("CA MAU") == 96
    assert current_code_for("Ba Ria - Vung Tau") == 79
    assert current_code_for("Atlantis") is None


def test_fold_strips_tone_marks_and_d_stroke():
    assert fold("Nguyễn Thị Xa, Đầm Dơi") == "nguyen thi xa, dam doi"
