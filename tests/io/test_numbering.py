"""The store's own id scheme (geo.io.numbering), the rule both backends number by."""

from __future__ import annotations

import pandas as pd

from geo.io.numbering import IdScheme, number_blank, representatives, scheme_of


def test_scheme_counts_codes_digits_and_highest_numbers():
    ids = pd.Series(["MLI0001", "MLI0041", "DZA001", "X1", None], dtype="string")
    assert scheme_of(ids) == IdScheme(rows=5, matched=3, digits=4, tops={"MLI": 41, "DZA": 1})


def test_blank_ids_get_their_countrys_next_numbers_in_order():
    rows = pd.DataFrame(
        {"event_id": ["", "K9", "", "", ""], "iso3": ["MLI", "MLI", "NER", "MLI", ""]}
    )
    got = number_blank(rows, IdScheme(4, 4, 4, {"MLI": 7}))
    assert got.tolist() == ["MLI0008", "K9", "NER0001", "MLI0009", ""]


def test_a_store_mostly_of_another_scheme_numbers_nothing():
    scheme = scheme_of(pd.Series(["GEO-000001", "GEO-000002", "MLI0001"]))
    assert not scheme.in_use and representatives(scheme).empty
    rows = pd.DataFrame({"event_id": [""], "iso3": ["MLI"]})
    assert number_blank(rows, scheme).tolist() == [""]


def test_representatives_number_as_every_stored_id_does():
    ids = pd.Series(["MLI0001", "MLI0041", "DZA001", "NER00009", "T4"], dtype="string")
    rows = pd.DataFrame({"event_id": ["", "", "", ""], "iso3": ["MLI", "DZA", "NER", "BFA"]})
    whole = number_blank(rows, scheme_of(ids))
    assert whole.tolist() == ["MLI00042", "DZA00002", "NER00010", "BFA00001"]
    assert number_blank(rows, scheme_of(representatives(scheme_of(ids)))).equals(whole)


def test_numbers_past_int64_are_counted_exactly():
    scheme = scheme_of(pd.Series(["MLI" + "9" * 20, "MLI0002"]))
    assert scheme.tops == {"MLI": 10**20 - 1}
