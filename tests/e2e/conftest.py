"""End-to-end harness: the real Gatehouse desktop app (built with the UI embedded) in a
real WebKit window, driven over WebDriver through tauri-driver + WebKitWebDriver.

Run inside scripts/with-desktop-session (Xvfb, a private D-Bus session, GNOME Keyring,
dunst); scripts/e2e does that. Each test module gets its own data folder; tests inside a
module run in order and build on each other like a user's afternoon with the app.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "target" / "debug" / "gatehouse-desktop"
CLI = ROOT / "target" / "debug" / "gatehouse"
TAURI_DRIVER = ROOT / ".tools" / "bin" / "tauri-driver"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# Svelte re-renders lists and dialogs while we look at them; an element found a moment
# ago may be gone. Waits treat that as "not yet" rather than failing.
REDRAWN = (StaleElementReferenceException,)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    """A private HOME for the app (exports land here, WebKit caches too)."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def driver_url(home: Path):
    url, proc = start_tauri_driver(home, "tauri-driver.log")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def start_tauri_driver(home: Path, log_name: str) -> tuple[str, subprocess.Popen]:
    """tauri-driver (with its WebKitWebDriver) on free ports: one app at a time each, so a
    test with two apps at once starts a second one."""
    assert APP.exists(), f"{APP} is missing: build it with `cargo build --features custom-protocol`"
    assert TAURI_DRIVER.exists(), "tauri-driver is missing: run scripts/setup"
    port, native = free_port(), free_port()
    env = dict(os.environ, HOME=str(home))
    log = open(home / log_name, "w")
    proc = subprocess.Popen(
        [str(TAURI_DRIVER), "--port", str(port), "--native-port", str(native)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/status", timeout=1)
            return url, proc
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"tauri-driver did not start; see {home / log_name}")
            time.sleep(0.1)


class App:
    """One running instance of the desktop app, seen through WebDriver."""

    def __init__(self, driver: webdriver.Remote):
        self.driver = driver

    def find(self, testid: str, timeout: float = 10):
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=REDRAWN).until(
                lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]') if e.is_displayed()), None)
            )
        except TimeoutException:
            self.shot(f"failed-waiting-for-{testid}")
            raise AssertionError(f"no visible [data-testid={testid}] after {timeout}s") from None

    def gone(self, css: str, timeout: float = 10):
        WebDriverWait(self.driver, timeout, ignored_exceptions=REDRAWN).until(lambda d: not d.find_elements(By.CSS_SELECTOR, css))

    def until(self, condition, timeout: float = 10, what: str = "condition"):
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=REDRAWN).until(lambda d: condition())
        except TimeoutException:
            self.shot(f"failed-{what.replace(' ', '-')}")
            raise AssertionError(f"timed out waiting for {what}") from None

    def visible(self, testid: str) -> bool:
        """Whether any element with this testid is shown, judged in one script call so a
        redraw between finding and checking cannot make it stale."""
        return self.driver.execute_script(
            """return [...document.querySelectorAll(`[data-testid="${arguments[0]}"]`)]
                   .some(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');""",
            testid,
        )

    def click(self, testid: str):
        for attempt in range(3):
            try:
                element = self.find(testid)
                # Centred, so a sticky bar at the page's edge can't be in the way.
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
                return element.click()
            except StaleElementReferenceException:
                if attempt == 2:
                    raise

    def type(self, testid: str, text: str):
        field = self.find(testid)
        field.clear()
        if text:
            field.send_keys(text)
        else:
            # WebDriver's clear fires no input event: tell the page the field is empty now.
            self.driver.execute_script("arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", field)

    def select(self, testid: str, value: str):
        """Chooses the <select> option with this value."""
        Select(self.find(testid)).select_by_value(value)

    def text(self, testid: str) -> str:
        """The element's visible text, once it has any (screens fill in asynchronously)."""
        # innerText: WebKitWebDriver's own element text is empty for some styled elements.
        read = lambda: self.driver.execute_script("return arguments[0].innerText", self.find(testid)).strip()
        return self.until(read, what=f"text of {testid}")

    def rows(self, testid: str) -> list[dict]:
        """Every row's data-* attributes and text, read in one go (lists re-render)."""
        return self.driver.execute_script(
            """return [...document.querySelectorAll(`[data-testid="${arguments[0]}"]`)].map(e => ({
                   ...Object.fromEntries(Object.entries(e.dataset)), text: e.innerText }));""",
            testid,
        )

    def click_in_row(self, row_testid: str, attribute: str, value: str, button_testid: str):
        """Clicks a button inside the row whose data attribute matches, once it is shown."""
        css = f'[data-testid="{row_testid}"][data-{attribute}="{value}"] [data-testid="{button_testid}"]'
        self.until(lambda: self.driver.find_elements(By.CSS_SELECTOR, css), what=f"{button_testid} in {row_testid} {value}")
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def step_up_if_asked(self, answer: str, wait: float = 3):
        """Answers the "Confirm it's you" dialog if a sensitive action brought it up (it
        is not shown again while the session's step-up window lasts)."""
        try:
            WebDriverWait(self.driver, wait, ignored_exceptions=REDRAWN).until(lambda d: self.visible("step-up-dialog"))
        except TimeoutException:
            return False
        self.type("step-up-input", answer)
        self.click("step-up-submit")
        self.until(lambda: not self.visible("step-up-dialog"), what="step-up dialog closed")
        return True

    def choose_password(self, given: str, chosen: str):
        """On the screen that replaces a password an administrator set: chooses one's own."""
        self.find("choose-password")
        self.type("password-current", given)
        self.type("password-new", chosen)
        self.type("password-confirm", chosen)
        self.until(lambda: self.find("password-submit").is_enabled(), what="choose-password submit enabled")
        self.click("password-submit")
        self.gone('[data-testid="choose-password"]')

    def invoke(self, command: str, args: dict) -> dict:
        """Calls a backend command directly, bypassing the UI's own checks."""
        return self.driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
               window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
                 .then(value => done({ ok: true, value }), error => done({ ok: false, error }));""",
            command,
            args,
        )

    def op(self, operation: str, args: dict) -> dict:
        """Runs one operation of the table through the shell's `call` command, as the UI does."""
        return self.invoke("call", {"operation": operation, "args": args})

    def shot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


class Desk:
    """A data folder shared by the app instances and CLI runs of one test module."""

    def __init__(self, driver_url: str, data_dir: Path, home: Path):
        self.driver_url = driver_url
        self.data_dir = data_dir
        self.home = home

    @contextmanager
    def app(self):
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability(
            "tauri:options", {"application": str(APP), "args": ["--data-dir", str(self.data_dir)]}
        )
        driver = webdriver.Remote(self.driver_url, options=options)
        # Typed text is text: a path to an existing file must not turn into a file upload.
        driver.file_detector = UselessFileDetector()
        try:
            yield App(driver)
        finally:
            driver.quit()

    def cli(self, *args: str, stdin: str = "", token: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "GATEHOUSE_TOKEN"}
        if token is not None:
            env["GATEHOUSE_TOKEN"] = token
        return subprocess.run(
            [str(CLI), "--data-dir", str(self.data_dir), *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=60,
        )

    def cli_ok(self, *args: str, stdin: str = "", token: str | None = None) -> str:
        result = self.cli(*args, stdin=stdin, token=token)
        assert result.returncode == 0, f"gatehouse {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def cli_json(self, *args: str, token: str | None = None):
        return json.loads(self.cli_ok(*args, "--json", token=token))


@pytest.fixture(scope="module")
def desk(driver_url: str, tmp_path_factory, home: Path) -> Desk:
    return Desk(driver_url, tmp_path_factory.mktemp("data"), home)


def dunst_history() -> list[dict]:
    """What the notification daemon showed (dunstctl, not our code): summary, body, app."""
    subprocess.run(["dunstctl", "close-all"], check=True)
    out = subprocess.run(["dunstctl", "history"], capture_output=True, text=True, check=True).stdout
    return [
        {key: entry[key]["data"] for key in ("summary", "body", "appname")}
        for entry in json.loads(out)["data"][0]
    ]


def wait_for_notification(match, timeout: float = 5.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [n for n in dunst_history() if match(n)]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no such desktop notification; dunst has {dunst_history()}")


def oathtool(key: str, steps_ahead: int = 0) -> str:
    """The code for `key` (base32) at now + `steps_ahead` × 30 s; ±1 step is accepted."""
    at = int(time.time()) + 30 * steps_ahead
    out = subprocess.run(["oathtool", "--totp", "-b", key, "-N", f"@{at}"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def sign_in(app: App, email: str, password: str):
    """Fills in and sends the sign-in form."""
    app.find("signin-email")
    app.type("signin-email", email)
    app.type("signin-password", password)
    app.click("signin-submit")
