#!/usr/bin/env python3
"""Drives cardhub's admin pages (/admin/) in headless Chromium through Selenium.

Run by admin_web_test (InARealBrowser) against a running hub with kiosks' journals pushed to it:
refuses a wrong password, logs in, reads the fleet table, opens a kiosk, downloads an XLSX and
checks its cells, publishes a bundle (upload, inspect, confirm), and refuses a form whose CSRF
token was removed. Screenshots of every step go to --shots. Exit 0 when every check held.
"""
import argparse
import glob
import os
import sys

import openpyxl
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def browser(downloads):
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,900", "--lang=en-US"):
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    opts.add_experimental_option("prefs", {
        "download.default_directory": downloads,
        "download.prompt_for_download": False,
        "intl.accept_languages": "en-US,en",
    })
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


class Run:
    def __init__(self, args):
        self.args = args
        self.d = browser(args.downloads)
        self.wait = WebDriverWait(self.d, 30)
        self.step = 0

    def shot(self, name):
        self.step += 1
        path = os.path.join(self.args.shots, "%02d-%s.png" % (self.step, name))
        self.d.save_screenshot(path)
        print("screenshot", path)

    def check(self, cond, what):
        if not cond:
            self.shot("failed")
            raise AssertionError(what)

    def login(self, password):
        self.d.get(self.args.url + "/admin/login")
        self.wait.until(ec.presence_of_element_located((By.NAME, "user")))
        self.d.find_element(By.NAME, "user").send_keys(self.args.user)
        self.d.find_element(By.NAME, "password").send_keys(password)
        self.d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    def wrong_password(self):
        self.login("not the password")
        err = self.wait.until(ec.presence_of_element_located((By.ID, "error")))
        self.check("Wrong user name or password" in err.text, "wrong password refused: " + err.text)
        self.shot("wrong-password")

    def fleet(self):
        self.login(self.args.password)
        table = self.wait.until(ec.presence_of_element_located((By.ID, "fleet")))
        rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
        names = [r.get_attribute("data-name") for r in rows]
        self.check(set(["shop-1", "shop-2", "door-1"]) <= set(names), "fleet rows: %s" % names)
        heads = [h.text for h in table.find_elements(By.CSS_SELECTOR, "thead th")]
        self.check("Last contact" in heads and "App version" in heads, "fleet head: %s" % heads)
        shop1 = [r for r in rows if r.get_attribute("data-name") == "shop-1"][0]
        cells = [c.text for c in shop1.find_elements(By.TAG_NAME, "td")]
        self.check(cells[1] == "In contact", "shop-1 state: %s" % cells)
        self.check(cells[6] == "6" and cells[7] == "6", "shop-1 journal/acked: %s" % cells)
        # Its status report: what it serves, its version, the registry it decides with (behind
        # the published one, amber), refused scans by reason, disk, uptime, the Pi's power.
        self.check(cells[2] == "shop P-1" and cells[4] == "0.9.1", "shop-1 mode/app: %s" % cells)
        reg = shop1.find_elements(By.TAG_NAME, "td")[5]
        self.check(cells[5] == "0 (1) behind" and "amber" in reg.get_attribute("class"),
                   "shop-1 registry: %s" % cells)
        self.check(cells[9] == "EXPIRED 1, REVOKED 2" and cells[10] == "1",
                   "shop-1 failed scans / clock: %s" % cells)
        self.check(cells[12] == "23.9 GB" and cells[13] == "3 d 4 h",
                   "shop-1 disk / uptime: %s" % cells)
        self.check(cells[14] == "51.6 \u00b0C, undervoltage!", "shop-1 Pi: %s" % cells)
        shop2 = [r for r in rows if r.get_attribute("data-name") == "shop-2"][0]
        cells2 = [c.text for c in shop2.find_elements(By.TAG_NAME, "td")]
        self.check(cells2[4] == "\u2014" and cells2[9] == "\u2014", "shop-2 never reported: %s" % cells2)
        door = [r for r in rows if r.get_attribute("data-name") == "door-1"][0]
        self.check(door.find_elements(By.TAG_NAME, "td")[1].text == "Never seen", "door-1 state")
        self.shot("fleet")
        # Filtered by state: only the kiosk that never made contact.
        self.d.get(self.args.url + "/admin/?state=never")
        table = self.wait.until(ec.presence_of_element_located((By.ID, "fleet")))
        names = [r.get_attribute("data-name") for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
        self.check(names == ["door-1"], "state=never: %s" % names)
        self.d.get(self.args.url + "/admin/")
        self.wait.until(ec.presence_of_element_located((By.ID, "fleet")))

    def kiosk(self):
        self.d.find_element(By.LINK_TEXT, "shop-1").click()
        entries = self.wait.until(ec.presence_of_element_located((By.ID, "entries")))
        self.check(len(entries.find_elements(By.CSS_SELECTOR, "tr")) == 7, "6 entries and a head")
        bars = self.d.find_elements(By.CSS_SELECTOR, "svg.chart rect")
        self.check(len(bars) == 2, "two days of redemptions: %d bars" % len(bars))
        contacts = self.d.find_element(By.ID, "contacts")
        what = [r.find_elements(By.TAG_NAME, "td")[1].text
                for r in contacts.find_elements(By.CSS_SELECTOR, "tr")[1:]]
        self.check(what == ["status", "journal"], "contacts, newest first: %s" % what)
        reports = self.d.find_element(By.ID, "reports")
        self.check("REVOKED 2" in reports.text, "status reports: " + reports.text)
        self.shot("kiosk")

    def xlsx(self):
        self.d.get(self.args.url + "/admin/exports")
        form = self.wait.until(ec.presence_of_element_located((By.ID, "export")))
        month = form.find_element(By.NAME, "month")
        month.clear()
        month.send_keys("2026-11")
        self.shot("exports")
        form.find_element(By.CSS_SELECTOR, "button[value=xlsx]").click()
        # Waits for the finished download (Chromium renames it from .crdownload when complete).
        found = WebDriverWait(self.d, 60).until(
            lambda _: glob.glob(os.path.join(self.args.downloads, "*.xlsx")))
        self.check(found, "no XLSX downloaded")
        wb = openpyxl.load_workbook(found[0])
        self.check("Партнёры" in wb.sheetnames, "sheets: %s" % wb.sheetnames)
        ws = wb["Партнёры"]
        values = [[c.value for c in row] for row in ws.iter_rows()]
        flat = [v for row in values for v in row if v is not None]
        self.check("P-1" in flat, "partner P-1 in the sheet: %s" % values[:4])
        counts = [row for row in values if "P-1" in row]
        self.check(9 in counts[0], "9 redemptions of P-1 in November: %s" % counts)

    def publish(self):
        self.d.get(self.args.url + "/admin/publish")
        self.wait.until(ec.presence_of_element_located((By.ID, "bundle")))
        self.d.find_element(By.ID, "bundle").send_keys(self.args.bundle)
        self.d.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        info = self.wait.until(ec.presence_of_element_located((By.ID, "inspect")))
        self.check("seq: 2" in info.text and "content: OK" in info.text, "inspect: " + info.text)
        self.shot("publish-inspect")
        self.d.find_element(By.CSS_SELECTOR, "#confirm button[type=submit]").click()
        res = self.wait.until(ec.presence_of_element_located((By.ID, "result")))
        self.check("published seq 2" in res.text, "publish: " + res.text)
        self.shot("published")

    def csrf_refused(self):
        self.d.get(self.args.url + "/admin/kiosk?name=shop-2")
        self.wait.until(ec.presence_of_element_located((By.NAME, "confirm")))
        self.d.execute_script(
            "document.querySelectorAll('input[name=csrf]').forEach(e => e.remove());")
        self.d.find_element(By.NAME, "confirm").click()
        self.d.find_element(By.CSS_SELECTOR, "form[action='/admin/withdraw'] button").click()
        err = self.wait.until(ec.presence_of_element_located((By.ID, "error")))
        self.check("CSRF" in err.text, "withdraw without its token: " + err.text)
        self.shot("csrf-refused")

    def russian(self):
        self.d.get(self.args.url + "/admin/lang?set=ru&back=/admin/")
        self.wait.until(ec.presence_of_element_located((By.ID, "fleet")))
        self.check("Последняя связь" in self.d.page_source, "Russian fleet page")
        self.shot("fleet-ru")
        self.d.get(self.args.url + "/admin/partners?month=2026-11")
        table = self.wait.until(ec.presence_of_element_located((By.ID, "partners")))
        heads = [h.text for h in table.find_elements(By.CSS_SELECTOR, "thead th")]
        self.check(heads.count("Отмены") == 2, "voids column in both months: %s" % heads)
        self.shot("partners-ru")

    def main(self):
        try:
            self.wrong_password()
            self.fleet()
            self.kiosk()
            self.xlsx()
            self.publish()
            self.csrf_refused()
            self.russian()
        finally:
            self.d.quit()


def main():
    p = argparse.ArgumentParser()
    for a in ("--url", "--user", "--password", "--bundle", "--shots", "--downloads"):
        p.add_argument(a, required=True)
    args = p.parse_args()
    os.makedirs(args.shots, exist_ok=True)
    os.makedirs(args.downloads, exist_ok=True)
    Run(args).main()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
