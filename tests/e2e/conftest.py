"""End-to-end harness: the real Gatehouse desktop app (built with the UI embedded) in a
real WebKit window, driven over WebDriver through tauri-driver + WebKitWebDriver.

Run inside scripts/with-desktop-session (Xvfb, a private D-Bus session, GNOME Keyring,
dunst); scripts/e2e does that. Each test module gets its own data folder; tests inside a
module run in order and build on each other like a user's afternoon with the app.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
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


def start_tauri_driver(home: Path, log_name: str, env: dict[str, str] | None = None) -> tuple[str, subprocess.Popen]:
    """tauri-driver (with its WebKitWebDriver) on free ports: one app at a time each, so a
    test with two apps at once starts a second one. The apps it starts inherit its
    environment: HOME, plus `env`."""
    assert APP.exists(), f"{APP} is missing: build it with `cargo build --features custom-protocol`"
    assert TAURI_DRIVER.exists(), "tauri-driver is missing: run scripts/setup"
    port, native = free_port(), free_port()
    env = dict(os.environ, HOME=str(home)) | (env or {})
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


_REPAINT_ON = """
if (!document.getElementById("e2e-repaint")) {
  const dot = document.createElement("div");
  dot.id = "e2e-repaint";
  dot.setAttribute("aria-hidden", "true");
  dot.style.cssText = "position:fixed;left:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647";
  let on = false;
  const flicker = () => {
    if (!dot.isConnected) return;
    on = !on;
    dot.style.background = on ? "rgba(0,0,0,0.004)" : "transparent";
    requestAnimationFrame(flicker);
  };
  document.documentElement.appendChild(dot);
  requestAnimationFrame(flicker);
}"""
_REPAINT_OFF = 'document.getElementById("e2e-repaint")?.remove()'


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
        self.save_screenshot(SCREENSHOTS / f"{name}.png")

    def save_screenshot(self, path: Path):
        """The window as it is now. WebKit takes the shot at the page's next repaint. With
        the renderer the app uses when there is no GPU (WebKit's DMA-BUF renderer off; see
        src-tauri/src/footprint.rs), a page that doesn't change never repaints, and the shot
        waits forever. So a 1-pixel, nearly transparent dot in the corner flickers on every
        frame while the shot is taken."""
        self.driver.execute_script(_REPAINT_ON)
        try:
            self.driver.save_screenshot(str(path))
        finally:
            self.driver.execute_script(_REPAINT_OFF)


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
        running = app_processes(self.data_dir)
        try:
            yield App(driver)
        finally:
            try:
                driver.quit()
            except WebDriverException:
                return  # the app quit, or its window closed to the tray: the session is gone already
            # WebDriver ends the app; the next one must not start before it has let go of
            # its single-instance name, or it would hand over to the one going away.
            deadline = time.time() + 10
            while not all(exited(pid) for pid in running) and time.time() < deadline:
                time.sleep(0.05)

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
    """What the notification daemon showed (dunstctl, not our code): summary, body, app, and
    its id (growing; the history keeps the latest 20)."""
    subprocess.run(["dunstctl", "close-all"], check=True)
    out = subprocess.run(["dunstctl", "history"], capture_output=True, text=True, check=True).stdout
    return [
        {key: entry[key]["data"] for key in ("summary", "body", "appname", "id")}
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


def app_processes(data_dir: Path) -> list[int]:
    """The desktop apps running on this data folder (however they were started)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[0].endswith(b"gatehouse-desktop") and str(data_dir).encode() in argv:
            found.append(int(proc.name))
    return found


def exited(pid: int) -> bool:
    """Whether the process is gone or a zombie: only then has it let go of its D-Bus names
    (its memory, and with it its command line, goes earlier in an exit)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def child_processes(pid: int) -> list[str]:
    """The names of `pid`'s child processes (WebKit's are WebKitWebProcess and WebKitNetworkProcess)."""
    return [name for _, name in children(pid)]


def children(pid: int) -> list[tuple[int, str]]:
    """`pid`'s child processes: (pid, name)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        if int(rest.split()[1]) == pid:
            found.append((int(stat.parent.name), head.split("(", 1)[1]))
    return found


def app_windows() -> dict[int, str]:
    """The app's top-level windows on the X server: id → title ("Security — Gatehouse")."""
    from Xlib import display

    screen = display.Display()
    try:
        net_wm_name, utf8 = screen.intern_atom("_NET_WM_NAME"), screen.intern_atom("UTF8_STRING")
        found = {}
        for window in screen.screen().root.query_tree().children:
            for child in [window, *window.query_tree().children]:
                title = child.get_full_property(net_wm_name, utf8)
                if title and title.value.decode().endswith("Gatehouse"):
                    found[child.id] = title.value.decode()
        return found
    finally:
        screen.close()


def close_window():
    """Closes the app's window as a window manager's close button does: WM_DELETE_WINDOW
    (there is no window manager under Xvfb). Like a person whose click went unnoticed, it
    asks again while the window is still there: GTK drops a delete request now and then
    under Xvfb (seen about once in three runs with the app idle in its main loop)."""
    windows = app_windows()
    assert windows, "no Gatehouse window to close"
    deadline = time.time() + 15
    while windows and time.time() < deadline:
        ask_to_close(windows)
        asked = time.time()
        while windows and time.time() < asked + 3:
            time.sleep(0.1)
            windows = {w: t for w, t in app_windows().items() if w in windows}


def ask_to_close(windows: dict[int, str]):
    from Xlib import X, display, protocol

    screen = display.Display()
    protocols, delete = screen.intern_atom("WM_PROTOCOLS"), screen.intern_atom("WM_DELETE_WINDOW")
    for window_id in windows:
        window = screen.create_resource_object("window", window_id)
        message = protocol.event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        window.send_event(message, event_mask=X.NoEventMask)
    screen.flush()
    screen.close()


def window_brightness(window_id: int) -> float:
    """The window's mean brightness, 0 (black) to 1 (white): tells a dark theme from a light one."""
    shot = SCREENSHOTS / f"window-{window_id}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["import", "-window", str(window_id), str(shot)], check=True, timeout=20)
    out = subprocess.run(["convert", str(shot), "-colorspace", "Gray", "-format", "%[fx:mean]", "info:"],
                         capture_output=True, text=True, check=True, timeout=20)
    return float(out.stdout)


def busctl(*args: str):
    """`busctl --user` on the test session's bus: its JSON answer, or None when it fails."""
    try:
        out = subprocess.run(["busctl", "--user", "--json=short", *args], capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else None


class Tray:
    """The app's tray icon as a desktop's panel sees it: an AppIndicator on the session bus,
    with its menu exported over the dbusmenu protocol."""

    MENU = "com.canonical.dbusmenu"
    ITEM = "org.kde.StatusNotifierItem"

    def __init__(self, pid: int):
        self.bus_name, self.path = self._find(pid)


    def _find(self, pid: int) -> tuple[str, str]:
        """The app's connection exporting an AppIndicator, and the indicator's object path."""
        deadline = time.time() + 10
        while time.time() < deadline:
            for name in busctl("list") or []:
                if name.get("pid") != pid or not name["name"].startswith(":"):
                    continue
                # Some of the app's connections (accessibility) don't answer: ask briefly.
                reply = busctl(
                    "--timeout=2", "call", "--", name["name"], "/org/ayatana/NotificationItem",
                    "org.freedesktop.DBus.Introspectable", "Introspect",
                )
                children = re.findall(r'<node name="([^"]+)"', reply["data"][0]) if reply else []
                if children:
                    return name["name"], f"/org/ayatana/NotificationItem/{children[0]}"
            time.sleep(0.2)
        raise AssertionError(f"process {pid} shows no tray icon on the session bus")

    def items(self) -> dict[str, bool]:
        """The menu's items: label → enabled."""
        reply = busctl("call", "--", self.bus_name, self.path + "/Menu", self.MENU, "GetLayout", "iias", "0", "-1", "0")
        assert reply is not None, "the tray menu did not answer"
        _revision, (_id, _props, children) = reply["data"]
        items = {}
        for child in children:
            _child_id, props, _ = child["data"]
            if "label" in props:
                items[props["label"]["data"]] = props.get("enabled", {"data": True})["data"]
        return items

    def label(self) -> str:
        """The text beside the icon (the unread count), where the panel shows one."""
        reply = busctl("get-property", self.bus_name, self.path, self.ITEM, "XAyatanaLabel")
        return reply["data"] if reply else ""

    def click(self, label: str):
        reply = busctl("call", "--", self.bus_name, self.path + "/Menu", self.MENU, "GetLayout", "iias", "0", "-1", "0")
        assert reply is not None, "the tray menu did not answer"
        for child in reply["data"][1][2]:
            item_id, props, _ = child["data"]
            if props.get("label", {}).get("data") == label:
                subprocess.run(
                    ["busctl", "--user", "call", "--", self.bus_name, self.path + "/Menu", self.MENU, "Event", "isvu", str(item_id), "clicked", "s", "", "0"],
                    check=True, capture_output=True, timeout=10,
                )
                return
        raise AssertionError(f"no {label!r} in the tray menu: {self.items()}")
