"""A person's way through the site in a real browser (Debian's Chromium driven by Playwright): search, the
game page and its chart, a watch added with the token, and the alert after a price drop is loaded."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from web_fixtures import PRICE_DROP_FEED, TOKEN, WEB_FEED, load_and_etl, served

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with apt-get on a fresh machine (Playwright cannot download browsers here)."""
    if not CHROMIUM.exists():
        if shutil.which("apt-get") is None:
            pytest.fail("Chromium is missing and apt-get is not available to install it")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, timeout=900)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("web-screenshots")


def pricewatch(*argv: str) -> None:
    """The CLI as an operator (or cron) runs it: a separate process."""
    subprocess.run([sys.executable, "-m", "pricewatch.cli", *argv], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL, timeout=300)


def test_search_game_chart_watch_and_alert(db_url, pricewatch_home, browser, screenshots):
    load_and_etl(WEB_FEED)
    with served(db_url) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(base + "/")
        assert page.locator("#discounts tbody tr").count() == 4
        page.screenshot(path=screenshots / "home.png", full_page=True)
        page.select_option("form.filters select[name=store]", "gog")
        page.click("form.filters button")
        page.wait_for_url("**/?store=gog&region=&currency=")
        assert page.locator("#discounts tbody tr").all_inner_texts() == [
            "Hades\tGOG\tUS\t19.99 USD\t24.99 USD\t-20%\t2026-11-02"]

        page.fill(".hero input[name=q]", "hades")
        page.press(".hero input[name=q]", "Enter")
        page.wait_for_url("**/search?q=hades")
        page.click("table.results a:text-is('Hades')")
        page.wait_for_selector("figure.chart[data-currency=USD][data-series]")

        usd = page.locator("figure.chart[data-currency=USD]")
        assert usd.get_attribute("data-series") == "3"
        assert usd.locator("canvas").count() == 1
        labels = usd.locator(".u-legend .u-series .u-label").all_inner_texts()
        assert sorted(labels[1:]) == ["Epic Games Store US", "GOG US", "Steam US"]
        gbp = page.locator("figure.chart[data-currency=GBP]")
        assert gbp.get_attribute("data-series") == "1"
        page.screenshot(path=screenshots / "game.png", full_page=True)

        page.fill("form.watch input[name=below]", "15")
        page.fill("form.watch input[name=currency]", "USD")
        page.fill("form.watch input[name=token]", TOKEN)
        page.click("form.watch button[type=submit]")
        page.wait_for_url("**/watchlist")
        assert "below 15 USD" in page.locator("table.rules").inner_text()
        assert "No price meets a rule yet" in page.locator("table.alerts").inner_text()

        pricewatch("load", str(PRICE_DROP_FEED))
        pricewatch("etl")
        page.reload()
        alerts = page.locator("table.alerts tbody tr")
        assert alerts.count() == 1
        assert "12.49 USD" in alerts.inner_text() and "below 15 USD" in alerts.inner_text()
        page.screenshot(path=screenshots / "watchlist.png", full_page=True)
        assert problems == []
        page.close()
    print(f"screenshots in {screenshots}")
