"""The Overview (security checkup) end to end: everyone lands on it after signing in; an
administrator sees the team's checks (a member without two-factor authentication counted);
the member sees two-factor authentication off as "at risk", presses its one button, enrols
with a real authenticator code (oathtool) and finds it under Done back on the Overview; the
administrator then no longer sees the member counted. Flagged sign-ins are reviewed right on
the Overview ("This wasn't me" suggests a new password). Screenshots in light and dark."""

from __future__ import annotations

import time

from conftest import App, Desk, oathtool, sign_in

ADMIN = "olive@example.com"
PASSWORD = "copper-lantern-meadow-58"
MEMBER = "milo@example.com"
MEMBER_TEMPORARY = "temporary-silver-otter-3"
MEMBER_PASSWORD = "harbor-violet-pinecone-64"


def checks(app: App, within: str = "overview-page") -> dict[str, dict]:
    """The check rows inside a part of the Overview, by check id: data-* attributes and text."""
    rows = app.driver.execute_script(
        """return [...document.querySelectorAll(
                 `[data-testid="${arguments[0]}"] [data-testid="check-row"]`)].map(e => ({
               ...Object.fromEntries(Object.entries(e.dataset)), text: e.textContent }));""",
        within,
    )
    return {row["checkId"]: row for row in rows}


def on_overview(app: App):
    """The Overview is the page shown, its checkup loaded."""
    app.find("overview-summary")
    assert app.find("nav-overview").get_attribute("aria-current") == "page"
    assert app.visible("overview-page")
    # Only the page scrolls, never the window (the sidebar stays put).
    assert app.driver.execute_script(
        "return document.scrollingElement.scrollHeight <= document.scrollingElement.clientHeight"
    )


def theme(app: App, choice: str):
    """Light, dark or the system's, as a person picks it in the sidebar."""
    app.click(f"theme-{choice}")
    if choice != "system":
        app.until(
            lambda: app.driver.execute_script("return document.documentElement.dataset.theme") == choice,
            what=f"{choice} theme",
        )
    time.sleep(0.3)  # let the colours settle before a screenshot


def test_the_admin_lands_on_the_overview_and_sees_the_team(desk: Desk):
    with desk.app() as app:
        app.click("connection-this-computer")  # the first run asks where Gatehouse runs
        app.find("setup-email")
        app.type("setup-email", ADMIN)
        app.type("setup-name", "Olive Admin")
        app.type("setup-password", PASSWORD)
        app.type("setup-password-confirm", PASSWORD)
        app.click("setup-submit")
        on_overview(app)
        # Nothing turns two-factor authentication on by itself: the admin's own is at risk.
        own = checks(app, "overview-personal")
        assert own["two_factor"]["status"] == "at_risk", own
        assert "need" in app.text("overview-summary")
        assert app.visible("overview-team")

        # A member is added from the command line: the open Overview follows by itself.
        desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
        desk.cli_ok("user", "add", MEMBER, "--role", "member", stdin=f"{MEMBER_TEMPORARY}\n{PASSWORD}\n")
        app.until(
            lambda: MEMBER in checks(app, "overview-team").get("team_two_factor", {}).get("text", ""),
            timeout=20,
            what="the member counted without 2FA",
        )
        team = checks(app, "overview-team")
        without = team["team_two_factor"]
        assert without["status"] == "needs_attention" and without["count"] == "2", without
        assert ADMIN in without["text"] and "Require 2FA for everyone" in without["text"]
        # The audit log is information: always under Done.
        assert team["team_audit_log"]["status"] == "ok"
        app.shot("overview-00-admin-first-run")


def test_the_member_turns_on_two_factor_from_the_overview(desk: Desk):
    with desk.app() as app:
        app.click("signout-button")
        sign_in(app, MEMBER, MEMBER_TEMPORARY)
        app.choose_password(MEMBER_TEMPORARY, MEMBER_PASSWORD)
        on_overview(app)
        assert not app.visible("overview-team"), "members don't see the team's checks"
        row = checks(app)["two_factor"]
        assert row["status"] == "at_risk"
        assert "Two-factor authentication is off" in row["text"] and "At risk" in row["text"], row
        assert "need" in app.text("overview-summary")
        # The thresholds come from the backend and show in the words.
        thresholds = app.op("checkup", {})["value"]["thresholds"]
        assert f"{thresholds['staleSessionDays']} days" in checks(app)["stale_sessions"]["text"]
        try:
            theme(app, "light")
            app.shot("overview-01-member-light")
            theme(app, "dark")
            app.shot("overview-02-member-dark")
        finally:
            theme(app, "system")

        # Its one button goes straight into enrolment.
        app.click_in_row("check-row", "check-id", "two_factor", "check-fix")
        app.step_up_if_asked(MEMBER_PASSWORD)
        key = app.text("enrollment-key").replace(" ", "")
        app.shot("overview-03-member-enrolling")
        app.type("enrollment-code", oathtool(key))
        app.click("enrollment-submit")
        app.find("backup-codes")
        app.click("backup-codes-done")
        app.until(lambda: app.find("two-factor-status").get_attribute("data-enabled") == "true", what="2FA on")

        # Back on the Overview, two-factor authentication is done (and backup codes are counted).
        app.click("back-to-overview")
        on_overview(app)
        app.until(lambda: checks(app, "overview-done").get("two_factor", {}).get("status") == "ok", what="2FA done")
        done = checks(app, "overview-done")
        assert "Two-factor authentication is on" in done["two_factor"]["text"]
        assert done["backup_codes"]["status"] == "ok" and done["backup_codes"]["count"] == "10", done
        assert f"{thresholds['backupCodesLow']} or fewer" in done["backup_codes"]["text"]
        app.driver.execute_script("arguments[0].open = true", app.find("overview-done"))
        app.shot("overview-04-member-done")
    desk.member_key = key


def test_the_admin_no_longer_counts_the_member(desk: Desk):
    with desk.app() as app:
        app.click("signout-button")
        sign_in(app, ADMIN, PASSWORD)
        on_overview(app)
        app.until(lambda: "team_two_factor" in checks(app, "overview-team"), what="the team's checks")
        without = checks(app, "overview-team")["team_two_factor"]
        assert MEMBER not in without["text"], without
        assert ADMIN in without["text"] and without["count"] == "1", without
        team_done = app.driver.execute_script(
            "return document.querySelector('[data-testid=\"overview-team\"] [data-testid=\"overview-done\"]')"
        )
        app.driver.execute_script("arguments[0].open = true; arguments[0].scrollIntoView({block: 'end'})", team_done)
        assert app.driver.execute_script("return document.scrollingElement.scrollTop") == 0
        app.shot("overview-05-admin-team")
        try:
            theme(app, "dark")
            app.shot("overview-06-admin-team-dark")
        finally:
            theme(app, "system")


def test_flagged_sign_ins_are_reviewed_on_the_overview(desk: Desk):
    # Someone tries the member's password over and over: a burst of failures is flagged.
    for _ in range(6):
        assert desk.cli("signin", MEMBER, stdin="not-my-password-9\n").returncode == 1
    with desk.app() as app:
        app.click("signout-button")
        sign_in(app, MEMBER, MEMBER_PASSWORD)
        app.type("code-input", oathtool(desk.member_key, steps_ahead=1))
        app.click("code-submit")
        on_overview(app)
        app.until(lambda: app.rows("flagged-item"), what="flagged sign-ins listed")
        flagged = checks(app)["flagged_sign_ins"]
        assert flagged["status"] == "needs_attention" and "Failure burst" in flagged["text"], flagged
        app.shot("overview-07-member-flagged")
        # "This wasn't me" about one of the failures (a session's sign-in would end it).
        failed = next(item for item in app.rows("flagged-item") if "failed" in item["text"])
        first = failed["attemptId"]
        app.click_in_row("flagged-item", "attempt-id", first, "flagged-not-me")
        # Nothing to end for a failed attempt, but the password may be known: change it.
        app.find("overview-disowned")
        app.gone(f'[data-testid="flagged-item"][data-attempt-id="{first}"]')
        # This very session's sign-in came right after the burst, so it is flagged too: it
        # can't be disowned from inside itself, and the item says where to end it instead.
        current = next(item for item in app.rows("flagged-item") if "signed in" in item["text"])
        app.click_in_row("flagged-item", "attempt-id", current["attemptId"], "flagged-not-me")
        app.until(
            lambda: "Security → Sessions" in next(
                (item["text"] for item in app.rows("flagged-item") if item["attemptId"] == current["attemptId"]), ""
            ),
            what="why this session's sign-in can't be disowned here",
        )
        app.shot("overview-08-member-this-session")
        for item in app.rows("flagged-item"):
            app.click_in_row("flagged-item", "attempt-id", item["attemptId"], "flagged-was-me")
            app.gone(f'[data-testid="flagged-item"][data-attempt-id="{item["attemptId"]}"]')
        app.until(
            lambda: checks(app, "overview-done").get("flagged_sign_ins", {}).get("status") == "ok",
            what="flagged sign-ins reviewed",
        )
        app.shot("overview-09-member-reviewed")
        # Its button opens the change-password form, ready to type in.
        app.click("overview-change-password")
        app.until(
            lambda: app.driver.execute_script("return document.activeElement?.dataset.testid") == "password-current",
            what="the password form focused",
        )


def enroll_with_oathtool(app: App) -> tuple[str, list[str]]:
    """Sets up an authenticator on the enrolment screen shown; returns its key and the backup codes."""
    key = app.text("enrollment-key").replace(" ", "")
    app.type("enrollment-code", oathtool(key))
    app.click("enrollment-submit")
    app.find("backup-codes")
    codes = [row["text"].strip() for row in app.rows("backup-code")]
    app.click("backup-codes-done")
    return key, codes


def test_the_admin_requires_two_factor_for_everyone_from_the_overview(desk: Desk):
    with desk.app() as app:
        app.click("signout-button")
        sign_in(app, ADMIN, PASSWORD)
        on_overview(app)
        app.click_in_row("check-row", "check-id", "team_two_factor", "check-fix")
        app.find("confirm-dialog")
        # Requiring it of everyone includes this admin, who hasn't set it up: the dialog says so.
        assert "That includes you" in app.text("confirm-dialog")
        app.shot("overview-10-admin-require-2fa")
        app.click("confirm-ok")
        app.step_up_if_asked(PASSWORD)
        # Applied at once: the admin is taken to set up two-factor authentication first.
        app.find("enrollment-required", timeout=15)
        app.step_up_if_asked(PASSWORD)
        desk.admin_key, desk.admin_codes = enroll_with_oathtool(app)
        on_overview(app)
        app.until(lambda: "team_two_factor" in checks(app, "overview-team"), what="the team's checks")
        team = checks(app, "overview-team")
        assert team["team_two_factor"]["status"] == "ok" and team["team_two_factor"]["count"] == "0", team
        assert checks(app, "overview-personal")["two_factor"]["status"] == "ok"


def test_few_backup_codes_left_are_replaced_from_the_overview(desk: Desk):
    # Seven of the ten codes spent on sign-ins from the command line: three left.
    for code in desk.admin_codes[:7]:
        desk.cli_ok("signin", ADMIN, stdin=f"{PASSWORD}\n{code}\n")
    with desk.app() as app:
        on_overview(app)
        app.until(lambda: checks(app).get("backup_codes", {}).get("count") == "3", what="three codes left")
        row = checks(app)["backup_codes"]
        assert row["status"] == "needs_attention" and "Only 3 backup codes left" in row["text"], row
        app.click_in_row("check-row", "check-id", "backup_codes", "check-fix")
        # Straight into making new codes (after confirming it's the admin).
        app.step_up_if_asked(oathtool(desk.admin_key, steps_ahead=1))
        app.find("backup-codes")
        desk.admin_codes = [row["text"].strip() for row in app.rows("backup-code")]
        assert len(desk.admin_codes) == 10
        app.click("backup-codes-done")
        app.click("back-to-overview")
        on_overview(app)
        app.until(lambda: checks(app, "overview-done").get("backup_codes", {}).get("count") == "10", what="ten codes")


def test_quiet_security_alerts_open_the_alert_settings(desk: Desk):
    with desk.app() as app:
        settings = app.op("alert_settings", {})["value"]
        kind = next(setting["kind"] for setting in settings if not setting["mayBeOff"])
        app.click("nav-account")
        app.select(f"alert-delivery-{kind}", "in_app")
        app.step_up_if_asked(desk.admin_codes[0])
        app.find("form-success")
        app.click("nav-overview")
        on_overview(app)
        row = app.until(lambda: checks(app).get("alert_settings"), what="the alert settings check")
        assert row["status"] == "needs_attention", row
        app.click_in_row("check-row", "check-id", "alert_settings", "check-fix")
        # The Account page opens at its alert settings, the heading focused.
        app.until(
            lambda: app.driver.execute_script("return document.activeElement?.textContent") == "Alerts",
            what="the alert settings focused",
        )
        app.shot("overview-11-alert-settings")
        app.select(f"alert-delivery-{kind}", "native")
        app.step_up_if_asked(desk.admin_codes[1])
        app.find("form-success")
        app.click("back-to-overview")
        on_overview(app)
        app.until(lambda: checks(app, "overview-done").get("alert_settings", {}).get("status") == "ok", what="alerts ok")
