import numpy as np
import pytest

from report.claims import ClaimError, claim


def test_true_claim_renders_an_html_comment():
    # Not "": Quarto prints an empty inline result's source code instead. Not an empty span:
    # `^[note][]{.x}` stops pandoc reading the footnote.
    held = claim(1 < 2, "one is less than two", a=1, b=2)
    assert held._repr_markdown_() == "<!-- claim -->"
    assert str(held) == ""


def test_false_claim_names_sentence_and_plain_numbers():
    with pytest.raises(ClaimError) as e:
        claim(np.float64(47.6) > 50, "almost half are inactive", dd=np.float64(47.6), od=np.int64(43))
    msg = str(e.value)
    assert "almost half are inactive" in msg
    assert "dd=47.6" in msg and "od=43" in msg and "np." not in msg
