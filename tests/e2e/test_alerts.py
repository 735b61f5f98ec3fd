"""Native alerts end to end: the real app, signed in as an admin, notices sign-ins made by
another process (the CLI) on the same database and shows them through the real
notification daemon (dunst on the private D-Bus session), naming the user, device and
place; a failure burst alerts too; the in-app notifications centre lists both; and "This
wasn't me" ends the reported session so its token stops working."""

from __future__ import annotations

import time

from conftest import App, Desk, dunst_history, wait_for_notification

ADMIN = "ada@example.com"
PASSWORD = "violet-harbor-lantern-42"
BOB = "bob@example.com"
BOB_TEMPORARY = "temporary-orange-kettle-5"
BOB_PASSWORD = "quiet-meadow-copper-77"


def latest_attempt(desk: Desk, email: str) -> dict:
    rows = desk.cli_json("activity", "list", "--user", email)
    return rows[0]


def test_an_admin_is_alerted_natively_to_another_users_sign_in_and_a_failure_burst(desk: Desk):
    with desk.app() as app:
        app.click("connection-this-computer")  # the first run asks where Gatehouse runs
        app.find("setup-email")
        app.type("setup-email", ADMIN)
        app.type("setup-password", PASSWORD)
        app.type("setup-password-confirm", PASSWORD)
        app.click("setup-submit")
        app.find("nav-security")

        desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
        desk.cli_ok("user", "add", BOB, "--role", "member", stdin=f"{BOB_TEMPORARY}\n{PASSWORD}\n")
        time.sleep(1)  # let the watcher settle on the notices that exist
        dunst_history()  # and start from an empty history

        desk.cli_ok("signin", BOB, stdin=BOB_TEMPORARY + "\n")
        shown = wait_for_notification(lambda n: n["summary"] == f"{BOB} signed in")
        desk.cli_ok("password", "change", stdin=f"{BOB_TEMPORARY}\n{BOB_PASSWORD}\n")  # Bob's own, at once
        desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
        attempt = latest_attempt(desk, BOB)
        assert shown["appname"] == "Gatehouse"
        assert BOB in shown["body"]
        assert attempt["deviceName"] in shown["body"], (attempt, shown)
        assert attempt["location"] in shown["body"], (attempt, shown)

        for _ in range(5):
            failed = desk.cli("signin", BOB, stdin="not-his-password-9\n")
            assert failed.returncode == 1
        burst = wait_for_notification(lambda n: n["summary"] == f"Failure burst on {BOB}")
        assert BOB in burst["body"]

        # The same alerts wait in the in-app notifications centre.
        app.until(lambda: app.visible("notices-unread"), what="the unread badge")
        app.click("notices-button")
        rows = app.until(lambda: app.rows("notice-row"), what="the notifications centre")
        kinds = [row["kind"] for row in rows]
        assert "everyone.sign_in" in kinds and "everyone.risky.failure_burst" in kinds, kinds
        app.shot("alerts-01-centre")


def test_this_wasnt_me_ends_the_reported_session(desk: Desk):
    with desk.app() as app:
        # Bob uses the app; someone else signs in as Bob from the command line.
        app.click("signout-button")
        app.find("signin-email")
        app.type("signin-email", BOB)
        app.type("signin-password", BOB_PASSWORD)
        app.click("signin-submit")
        app.find("notices-button")
        time.sleep(1)
        token = desk.cli_ok("signin", BOB, "--print-token", stdin=BOB_PASSWORD + "\n").strip()
        assert desk.cli("whoami", token=token).returncode == 0

        shown = wait_for_notification(lambda n: n["summary"] == "New sign-in to your account" and BOB in n["body"])
        assert "gatehouse CLI" in shown["body"]
        app.until(lambda: app.visible("notices-unread"), what="the unread badge")
        app.click("notices-button")
        app.until(lambda: any(r["kind"] == "sign_in.new" for r in app.rows("notice-row")), what="the sign-in alert")
        app.shot("alerts-02-new-sign-in")
        app.click("notice-not-me")
        app.find("disowned-banner")
        app.find("password-current")  # the Account page, to change the password
        app.shot("alerts-03-disowned")

        refused = desk.cli("whoami", token=token)
        assert refused.returncode == 1 and "signed out" in refused.stderr.lower(), refused.stderr

        # Alert settings, on the same page: one change saves at once, once Bob confirms it's
        # him (a stolen session must not silence alerts quietly).
        app.select("alert-delivery-sign_in.new", "in_app")
        assert app.step_up_if_asked(BOB_PASSWORD), "changing an alert setting asks to confirm it's you"
        app.until(lambda: "Saved" in app.text("form-success"), what="the saved setting")
        # Alerts about the account's own security can be in-app only, never off.
        offered = app.driver.execute_script(
            "return [...document.querySelectorAll('[data-testid=\"alert-delivery-sign_in.risky\"] option')].map(o => o.value)"
        )
        assert offered == ["native", "in_app"], offered
        saved = app.op("alert_settings", {})
        assert {s["kind"]: s["delivery"] for s in saved["value"]}["sign_in.new"] == "in_app"
        setting = app.find("alert-delivery-sign_in.new")
        app.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", setting)
        app.shot("alerts-04-settings")

        app.click("nav-security")
        app.click("tab-activity")
        app.until(lambda: any(r.get("disowned") == "true" for r in app.rows("activity-row")), what="the marked row")
        app.shot("alerts-05-activity")
