from report.fmt import gbp, gbp_millions, millions, num, pct, words


def test_numbers_in_house_style():
    assert num(1305) == "1,305"
    assert pct(10.0) == "10.0%"
    assert gbp(36952) == "£36,952"
    assert words(17) == "seventeen" and words(1305) == "1,305"


def test_millions_never_split_from_their_number():
    assert millions(2_077_725) == "2.1\u00a0million"
    assert gbp_millions(87_500_000) == "£87.5\u00a0million"
    assert gbp_millions(225_000_000) == "£225\u00a0million"
