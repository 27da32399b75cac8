import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.common import PREFECTURES, Address, Prefecture, find_prefecture, normalize_postcode


def _address(**overrides: object) -> Address:
    fields: dict[str, object] = {
        "postcode": "100-0001",
        "prefecture": "東京都",
        "city": "千代田区",
        "street": "千代田1-1",
    }
    fields.update(overrides)
    return Address.model_validate(fields)


def test_prefecture_list_is_the_47() -> None:
    assert len(PREFECTURES) == 47
    assert len({p.kanji for p in PREFECTURES}) == 47
    assert [p.code for p in PREFECTURES] == [f"{n:02d}" for n in range(1, 48)]


@pytest.mark.parametrize(
    ("name", "kanji"),
    [
        ("東京都", "東京都"),
        ("東京", "東京都"),
        ("Tokyo", "東京都"),
        ("tokyo-to", "東京都"),
        ("Osaka-fu", "大阪府"),
        ("hokkaido", "北海道"),
        ("Kanagawa Prefecture", "神奈川県"),
        (" 沖縄県 ", "沖縄県"),
    ],
)
def test_prefecture_lookup_accepts_common_spellings(name: str, kanji: str) -> None:
    found = find_prefecture(name)
    assert found is not None and found.kanji == kanji


def test_unknown_prefecture_is_none() -> None:
    assert find_prefecture("Atlantis") is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("100-0001", "100-0001"),
        ("1000001", "100-0001"),
        ("〒100-0001", "100-0001"),
        ("１００−０００１", "100-0001"),
        ("100ー0001", "100-0001"),
        ("10-00001", None),
        ("ABC-DEFG", None),
    ],
)
def test_postcode_normalisation(raw: str, normalized: str | None) -> None:
    assert normalize_postcode(raw) == normalized


def test_japanese_address_is_normalised_and_defaults_to_jp() -> None:
    address = _address(postcode="1000001", prefecture="Tokyo", building="", country="jp")
    assert address.postcode == "100-0001"
    assert address.prefecture == "東京都"
    assert address.building is None
    assert address.country == "JP"
    assert _address().country == "JP"
    assert address.model_dump(mode="json") == {
        "postcode": "100-0001",
        "prefecture": "東京都",
        "city": "千代田区",
        "street": "千代田1-1",
        "building": None,
        "country": "JP",
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"postcode": "12345"},
        {"prefecture": "Atlantis"},
        {"city": ""},
        {"street": " "},
        {"country": "JPN"},
        {"unexpected": "x"},
    ],
)
def test_invalid_japanese_addresses_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _address(**overrides)


def test_foreign_address_skips_japanese_rules() -> None:
    address = _address(postcode="HD1 1AA", prefecture="West Yorkshire", country="GB")
    assert address.postcode == "HD1 1AA" and address.prefecture == "West Yorkshire"


@given(st.sampled_from(PREFECTURES), st.integers(0, 9_999_999))
def test_any_prefecture_and_seven_digits_make_a_valid_address(
    prefecture: Prefecture, number: int
) -> None:
    digits = f"{number:07d}"
    address = _address(postcode=digits, prefecture=prefecture.romaji)
    assert address.postcode == f"{digits[:3]}-{digits[3:]}"
    assert address.prefecture == prefecture.kanji
    assert Address.model_validate(address.model_dump()) == address
