from report.fmt import gbp, gbp_billions, gbp_millions, millions, num, one_in, pct, times, year
from report.provenance import Value


def real(x):
    return Value(x, "derived", "test")


def test_numbers_in_house_style_as_numerals():
    assert num(real(1305)) == "1,305"
    assert num(real(17)) == "17"  # ONS / GOV.UK style: numerals, not "seventeen"
    assert pct(real(10.0)) == "10.0%"
    assert gbp(real(36952)) == "£36,952"
    assert year(real(2021.0)) == "2021"
    assert times(real(2.9)) == "three times"
    assert one_in(real(10.5)) == "one in 10"


def test_big_amounts_never_split_from_their_unit():
    assert millions(real(2_077_725)) == "2.1\u00a0million"
    assert gbp_millions(real(87_500_000)) == "£87.5\u00a0million"
    assert gbp_millions(real(225_000_000)) == "£225\u00a0million"
    assert gbp_billions(real(2_560_000_000)) == "£2.56\u00a0billion"
    assert gbp_billions(real(2_500_000_000)) == "£2.5\u00a0billion"
