"""The contracts are the one list of feed item kinds and of the sources that write each kind."""
import pytest
from scrapy.utils.project import get_project_settings

import contracts
from loader.specs import SPECS


def test_every_contract_is_a_loader_spec():
    assert contracts.kinds() == sorted(SPECS)


@pytest.mark.parametrize("kind", contracts.kinds())
def test_loader_reads_the_sources_its_contract_names(kind):
    assert SPECS[kind].sources == contracts.sources(kind)


def test_spiders_validate_each_source_against_its_contract():
    assert get_project_settings().getdict("PRICEWATCH_ITEM_SCHEMAS") == contracts.kind_of_source()


def test_kind_of_source():
    assert contracts.kind_of_source()["steam"] == "store_listing"
    assert contracts.kind_of_source()["reddit"] == "news_item"
