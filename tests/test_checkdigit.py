import pytest

from docgen.layout.scheme import load_scheme
from docgen.validate.checkdigit import check_digit, is_valid
from docgen.validate.values import parse_value

SCHEMES = ("kokuho", "kouki", "kenpo", "kyosai")


def valid_insurer_number(number: str, scheme: str | None) -> bool:
    """The scheme file's 保険者番号 rule; None: the rule of some built-in scheme."""
    if scheme is None:
        return any(valid_insurer_number(number, s) for s in SCHEMES)
    return parse_value(load_scheme(scheme).insurer_number, number)[1] is None


def valid_kouki_number(number: str) -> bool:
    """The 被保険者番号 as the kouki scheme file declares it."""
    return parse_value(load_scheme("kouki").fields["hihokensha_bango"], number)[1] is None


@pytest.mark.parametrize("body, digit", [
    # DOMAIN.md: 5×2=10→1+0=1, 4, 3×2=6, 2, 1×2=2; total 15 → (10−5)%10 = 5
    ("12345", 5),
    # 9×2=18 → 1+8 = 9 → 1
    ("9", 1),
    # 0 → total 0 → (10−0)%10 = 0, not 10
    ("0", 0),
    # 国保 6 digits: 0×2=0, 1, 8×2=16→7, 3, 1×2=2; total 13 → 7
    ("13810", 7),
    # 協会けんぽ東京 01130012: 1×2=2, 0, 0×2=0, 3, 1×2=2, 1, 0×2=0; total 8 → 2
    ("0113001", 2),
    # 後期 insurer: 1×2=2, 0, 0×2=0, 3, 3×2=6, 9, 3×2=6; total 26 → 4
    ("3933001", 4),
    # 7×2=14→5, 6, 5×2=10→1, 4, 3×2=6, 2, 1×2=2; total 26 → 4
    ("1234567", 4),
    # 5×2=10→1, 5, 1, 5, 1, 5, 1; total 19 → 1
    ("5555555", 1),
])
def test_check_digit(body, digit):
    assert check_digit(body) == digit
    assert is_valid(body + str(digit))
    assert not is_valid(body + str((digit + 1) % 10))


@pytest.mark.parametrize("body", ["", "12a4", "１２３４５", "١٢٣"])
def test_check_digit_needs_ascii_digits(body):
    with pytest.raises(ValueError, match="ASCII digits"):
        check_digit(body)


@pytest.mark.parametrize("number, ok", [
    ("123455", True),    # DOMAIN.md example
    ("123456", False),   # DOMAIN.md example
    ("１２３４５５", False),  # full-width digits
    ("12345 5", False),
    ("5", False),        # no body
    ("", False),
])
def test_is_valid(number, ok):
    assert is_valid(number) is ok


@pytest.mark.parametrize("number, scheme, ok", [
    ("138107", None, True),
    ("138107", "kokuho", True),
    ("138107", "kenpo", False),      # 国保 numbers are the only 6-digit ones
    ("01130012", None, True),
    ("01130012", "kenpo", True),
    ("01130012", "kokuho", False),
    ("01130012", "kouki", False),    # 後期高齢者 numbers begin with 39
    ("39330014", "kouki", True),
    ("39330015", "kouki", False),    # check digit
    ("32990012", "kyosai", True),    # 法別番号 32, check digit 2 (profiles/reidai-kyosai.yaml)
    ("32990013", "kyosai", False),   # check digit
    ("01990019", "kyosai", False),   # valid check digit, but the 法別番号 of 健康保険, not 31–34
    ("35990019", "kyosai", False),   # 35 is no 共済 法別番号 (3599001 → 9)
    ("31990013", "kyosai", True),    # 31: 国家公務員共済組合 (3199001 → 3)
    ("34990010", "kyosai", True),    # 34: 公立学校共済組合, 私学共済 (3499001 → 0)
    ("329900121", "kyosai", False),  # 9 digits
    ("1234567", None, False),        # 7 digits
    ("123455", None, True),
    ("0113001２", None, False),
])
def test_valid_insurer_number(number, scheme, ok):
    assert valid_insurer_number(number, scheme) is ok


@pytest.mark.parametrize("number, ok", [
    ("12345674", True),
    ("12345675", False),
    ("123455", False),     # valid check digit, but not 8 digits
    ("55555551", True),
])
def test_valid_kouki_number(number, ok):
    assert valid_kouki_number(number) is ok
