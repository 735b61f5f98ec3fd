"""The app people leave running: closing the window leaves Gatehouse in the tray with no
web view and no WebKit process alive, alerts still arrive natively, and the tray's menu or
a second launch brings the window back — signed in, on the same page — without a second
process. Lock, Sign out and Quit from the tray; the window's size and position survive a
restart; start at login (in the tray) and "keep running in the tray" are settings of this
computer.

WebDriver's session ends with the web view it drives, so a window made again is checked
from outside, as a person sees it: its title names the page, and a screenshot its theme."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (
    APP,
    App,
    Desk,
    Tray,
    app_processes,
    busctl,
    app_windows,
    child_processes,
    start_tauri_driver,
    close_window,
    exited,
    dunst_history,
    sign_in,
    wait_for_notification,
    window_brightness,
)

ADMIN = "ada@example.com"
PASSWORD = "violet-harbor-lantern-42"
BOB = "bob@example.com"
BOB_TEMPORARY = "temporary-orange-kettle-5"


@pytest.fixture(scope="module")
def desk(tmp_path_factory, home: Path):
    """This module's own tauri-driver: its apps quit and lose their windows under it."""
    url, driver = start_tauri_driver(home, "tauri-driver-tray.log")
    yield Desk(url, tmp_path_factory.mktemp("tray-data"), home)
    driver.terminate()
    driver.wait(timeout=10)


@pytest.fixture(autouse=True)
def no_app_left_running(desk: Desk):
    """A test that fails with Gatehouse in the tray must not leave it there: the next test's
    launch would hand over to it."""
    yield
    for pid in app_processes(desk.data_dir):
        os.kill(pid, signal.SIGKILL)
        until(lambda: exited(pid), what=f"app {pid} to end")


def until(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def the_only_app(desk: Desk) -> int:
    running = app_processes(desk.data_dir)
    assert len(running) == 1, f"expected one app on {desk.data_dir}, found {running}"
    return running[0]


def webkit_processes(pid: int) -> list[str]:
    return [name for name in child_processes(pid) if name.startswith("WebKit")]


def launch(desk: Desk, *args: str) -> subprocess.Popen:
    """Starts the app as a person (or the login session) does, not through WebDriver."""
    return subprocess.Popen(
        [str(APP), "--data-dir", str(desk.data_dir), *args],
        env={**os.environ, "HOME": str(desk.home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def quit_from_tray(desk: Desk, pid: int):
    """Quits through the tray's menu. (Not while WebDriver drives the window: tauri-driver
    stalls on a session whose app quit under it. Closing the window ends the session.)"""
    Tray(pid).click("Quit Gatehouse")
    until(lambda: exited(pid) and not app_processes(desk.data_dir), what="Gatehouse to quit")


STILL_RUNNING = "Gatehouse is still running"


def latest_notification() -> int:
    """The id of the latest desktop notification so far."""
    return max((n["id"] for n in dunst_history()), default=0)


def told_still_running_since(shown_before: int) -> int:
    """How many times Gatehouse said it still runs, in the notifications after `shown_before`."""
    return sum(n["summary"] == STILL_RUNNING and n["id"] > shown_before for n in dunst_history())


WATCHER = "org.kde.StatusNotifierWatcher"


@pytest.fixture
def panel():
    """A desktop whose panel shows tray icons: Debian's status-notifier-watcher (the
    service AppIndicators register with) and a host registered with it, as a panel does."""
    watcher = subprocess.Popen(["status-notifier-watcher"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        has_owner = ("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner")
        until(lambda: (busctl(*has_owner, "s", WATCHER) or {}).get("data") == [True], what="the watcher on the bus")
        subprocess.run(
            ["busctl", "--user", "call", WATCHER, "/StatusNotifierWatcher", WATCHER, "RegisterStatusNotifierHost",
             "s", "org.kde.StatusNotifierHost-e2e"],
            check=True, timeout=10,
        )
        yield
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)


def registered_tray_icons() -> list[str]:
    reply = busctl("get-property", WATCHER, "/StatusNotifierWatcher", WATCHER, "RegisteredStatusNotifierItems")
    return reply["data"] if reply else []


def test_closing_the_window_leaves_gatehouse_in_the_tray_without_webkit(desk: Desk):
    with desk.app() as app:
        app.click("connection-this-computer")
        app.type("setup-email", ADMIN)
        app.type("setup-password", PASSWORD)
        app.type("setup-password-confirm", PASSWORD)
        app.click("setup-submit")
        app.click("nav-security")
        app.click("theme-dark")
        desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
        desk.cli_ok("user", "add", BOB, "--role", "member", stdin=f"{BOB_TEMPORARY}\n{PASSWORD}\n")
        pid = the_only_app(desk)
        assert webkit_processes(pid), "the open window has WebKit processes"
        until(lambda: list(app_windows().values()) == ["Security — Gatehouse"], what="the window named after its page")
        app.shot("tray-01-before-closing")

        shown_before = latest_notification()
        close_window()
        until(lambda: not webkit_processes(pid), what="WebKit's processes to end")
        assert not app_windows()
        assert the_only_app(desk) == pid, "closing the window must not quit Gatehouse"
        # No panel on this desktop shows tray icons, so Gatehouse says it keeps running.
        until(lambda: told_still_running_since(shown_before) == 1, what="the note that Gatehouse still runs")

        # Alerts keep arriving with only the tray left, and the tray counts them.
        time.sleep(1)
        dunst_history()
        desk.cli_ok("signin", BOB, stdin=BOB_TEMPORARY + "\n")
        wait_for_notification(lambda n: n["summary"] == f"{BOB} signed in")
        tray = Tray(pid)

        def unread_count_shown_twice() -> str | None:
            """The unread count when the menu and the icon's label show the same one. They
            are read one after the other, and another alert may land in between."""
            unread = [label for label in tray.items() if label.endswith(("unread alert", "unread alerts"))]
            in_menu = unread[0].split()[0] if unread else None
            return in_menu if in_menu is not None and in_menu == tray.label() else None

        count = until(unread_count_shown_twice, what="the same unread count in the tray menu and on the icon")
        assert count.isdigit() and int(count) >= 1, count

    # A second launch brings the window back — signed in, on the same page, in the theme
    # chosen before — and ends itself.
    second = launch(desk)
    assert second.wait(timeout=30) == 0
    assert the_only_app(desk) == pid
    [(window, title)] = until(lambda: list(app_windows().items()), what="the window made again")
    until(lambda: list(app_windows().values()) == ["Security — Gatehouse"], what="the window back on the Security page")
    # The dark theme chosen before closing (a window just mapped may not be painted yet).
    until(lambda: window_brightness(window) < 0.35, timeout=30, what="the window painted in the dark theme")

    # Closed again, the tray's Open brings it back the same way. (Said once a run.)
    close_window()
    until(lambda: not webkit_processes(pid), what="WebKit's processes to end")
    time.sleep(2)
    assert told_still_running_since(shown_before) == 1, "the note that Gatehouse still runs comes once a run"
    Tray(pid).click("Open Gatehouse")
    until(lambda: list(app_windows().values()) == ["Security — Gatehouse"], what="Open from the tray")
    quit_from_tray(desk, pid)


def test_with_a_panel_showing_its_icon_closing_the_window_says_nothing(desk: Desk, panel):
    with desk.app() as app:
        app.find("nav-security")
        pid = the_only_app(desk)
        icon = Tray(pid)
        until(lambda: any(icon.bus_name in item for item in registered_tray_icons()),
              what="the app's icon registered with the panel's watcher")
        shown_before = latest_notification()
        close_window()
        until(lambda: not webkit_processes(pid), what="WebKit's processes to end")
    time.sleep(3)
    assert told_still_running_since(shown_before) == 0, "its tray icon shows that it runs"
    assert the_only_app(desk) == pid
    quit_from_tray(desk, pid)


def test_the_tray_locks_and_signs_out_the_open_window(desk: Desk):
    with desk.app() as app:
        app.find("nav-overview")  # still signed in: the session is in the keychain
        tray = Tray(the_only_app(desk))
        until(lambda: tray.items().get("Lock") and tray.items().get("Sign out"), what="Lock and Sign out offered")
        tray.click("Lock")
        app.find("lock-screen")
        app.type("unlock-password", PASSWORD)
        app.click("unlock-submit")
        app.find("nav-overview")

        tray.click("Sign out")
        app.find("signin-email")
        until(lambda: tray.items().get("Lock") is False and tray.items().get("Sign out") is False, what="Lock and Sign out greyed out")
        sign_in(app, ADMIN, PASSWORD)
        app.find("nav-overview")


def test_the_window_comes_back_at_its_size_and_place_after_a_restart(desk: Desk):
    with desk.app() as app:
        app.find("nav-overview")
        app.driver.set_window_rect(x=40, y=30, width=1000, height=700)
        until(lambda: app.driver.get_window_size() == {"width": 1000, "height": 700}, what="the new size")
        pid = the_only_app(desk)
        close_window()
    quit_from_tray(desk, pid)
    with desk.app() as app:
        app.find("nav-overview")
        rect = app.driver.get_window_rect()
        assert (rect["width"], rect["height"]) == (1000, 700), rect
        assert (rect["x"], rect["y"]) == (40, 30), rect


def test_this_computers_settings_start_at_login_and_closing_can_quit(desk: Desk):
    autostart = desk.home / ".config" / "autostart" / "Gatehouse.desktop"
    with desk.app() as app:
        app.click("nav-account")
        keep, login = app.find("desktop-keep-in-tray"), app.find("desktop-start-at-login")
        assert keep.is_selected() and not login.is_selected(), "kept in the tray by default; start at login is opt-in"
        assert not autostart.exists()
        app.click("desktop-start-at-login")
        until(lambda: autostart.exists(), what="the autostart entry")
        entry = autostart.read_text()
        assert "--tray" in entry and str(desk.data_dir) in entry, entry
        app.shot("tray-03-this-computer-settings")
        app.click("desktop-start-at-login")
        until(lambda: not autostart.exists(), what="the autostart entry removed")
        app.click("desktop-start-at-login")
        until(lambda: autostart.exists(), what="the autostart entry again")

        # With "keep running in the tray" off, closing the window quits.
        app.click("desktop-keep-in-tray")
        until(lambda: not app.find("desktop-keep-in-tray").is_selected(), what="keep in the tray off")
        pid = the_only_app(desk)
        close_window()
        until(lambda: exited(pid), what="Gatehouse to quit with its window")


def test_started_at_login_gatehouse_waits_in_the_tray(desk: Desk):
    autostart = desk.home / ".config" / "autostart" / "Gatehouse.desktop"
    exec_line = next(line for line in autostart.read_text().splitlines() if line.startswith("Exec="))
    assert exec_line.split()[0] == f"Exec={APP}", exec_line
    at_login = launch(desk, "--tray")
    pid = until(lambda: app_processes(desk.data_dir), what="Gatehouse started at login")[0]
    Tray(pid)  # its icon is up
    time.sleep(2)
    assert not app_windows() and not webkit_processes(pid), (app_windows(), child_processes(pid))
    # Started again at login it stays in the tray; the tray's Open brings the window.
    assert launch(desk, "--tray").wait(timeout=30) == 0
    time.sleep(1)
    assert not app_windows() and app_processes(desk.data_dir) == [pid]
    Tray(pid).click("Open Gatehouse")
    until(lambda: list(app_windows().values()) == ["Overview — Gatehouse"], what="the window, signed in")
    quit_from_tray(desk, pid)
    assert at_login.wait(timeout=10) == 0
