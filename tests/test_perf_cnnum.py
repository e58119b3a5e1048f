"""docreview.cnnum agrees with cn2an on every number 0–9999, both ways, and falls back for the rest."""

from __future__ import annotations

import cn2an
import pytest

from docreview.cnnum import an2cn, cn2int


def test_an2cn_equals_cn2an_for_0_to_9999() -> None:
    for n in range(10000):
        assert an2cn(n) == cn2an.an2cn(n), n


def test_cn2int_reads_every_canonical_numeral_as_cn2an_does() -> None:
    for n in range(10000):
        s = cn2an.an2cn(n)
        assert cn2int(s) == int(cn2an.cn2an(s, "smart")) == n, s


@pytest.mark.parametrize("s", ["两", "两百", "一十一", "〇", "○", "二〇", "一万零一", "三三", "23", " 十二 ", "廿"])
def test_non_canonical_forms_fall_back_to_cn2an(s: str) -> None:
    try:
        want = int(s.strip()) if s.strip().isdigit() else int(cn2an.cn2an(s.strip().replace("○", "〇"), "smart"))
    except ValueError:
        with pytest.raises(ValueError):
            cn2int(s)
        return
    assert cn2int(s) == want


def test_other_modes_and_ranges_use_cn2an() -> None:
    assert an2cn(12, "up") == cn2an.an2cn(12, "up")
    assert an2cn(10001) == cn2an.an2cn(10001)
