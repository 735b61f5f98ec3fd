"""The desktop app end to end, in the order a new administrator meets it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import Desk

ADMIN = "ada@example.com"
PASSWORD = "violet-harbor-lantern-42"
NEW_PASSWORD = "new-granite-window-88"
BOB = "bob@example.com"
BOB_PASSWORD = "quiet-meadow-copper-77"


def sign_in(app, email: str, password: str):
    app.type("signin-email", email)
    app.type("signin-password", password)
    app.click("signin-submit")


def current_session_rows(app):
    app.click("nav-security")
    app.click("tab-sessions")
    app.find("session-row")
    return app.rows("session-row")


def test_first_run_creates_the_administrator(desk: Desk):
    with desk.app() as app:
        # A new installation asks where Gatehouse runs: this computer, or the team's server.
        app.find("connection-choice")
        app.shot("00-first-run-choice")
        app.click("connection-this-computer")
        app.find("setup-email")
        app.shot("01-first-run")
        app.type("setup-email", ADMIN)
        app.type("setup-name", "Ada Admin")
        app.type("setup-password", PASSWORD)
        app.type("setup-password-confirm", PASSWORD)
        app.click("setup-submit")
        assert ADMIN in app.text("current-user")
        rows = current_session_rows(app)
        assert [r["current"] for r in rows] == ["true"]
        assert "Gatehouse desktop" in rows[0]["text"]
        app.shot("02-sessions")
    # The CLI sees the same database: Ada is its only user.
    desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
    assert [u["email"] for u in desk.cli_json("user", "list")] == [ADMIN]


def test_a_wrong_password_shows_the_error_and_appears_in_sign_in_activity(desk: Desk):
    with desk.app() as app:
        app.click("signout-button")
        app.find("signin-email")
        app.shot("03-sign-in")
        # A malformed email is refused before any attempt is made.
        sign_in(app, "not-an-email", PASSWORD)
        assert "Email" in app.text("form-error")
        sign_in(app, ADMIN, "not-my-password-1")
        assert app.text("form-error") == "The email or password is incorrect."
        app.shot("04-sign-in-error")
        sign_in(app, ADMIN, PASSWORD)
        app.click("nav-security")
        app.click("tab-activity")
        app.find("activity-row")
        rows = app.rows("activity-row")
        assert rows[0]["outcome"] == "success"
        assert rows[1]["outcome"] == "failure" and rows[1]["reason"] == "wrong_password"
        assert "Wrong password" in rows[1]["text"]
        # The malformed attempt was never recorded: one failure in all.
        assert [r["reason"] for r in rows if r["outcome"] == "failure"] == ["wrong_password"]
        app.shot("05-activity")
        app.click("filter-failures")
        app.until(lambda: all(r["outcome"] == "failure" for r in app.rows("activity-row")), what="failures only")
        app.click("export-csv")
        message = app.text("export-result")
        path = Path(message[message.index("/"):].strip().rstrip("."))
        csv = path.read_text().splitlines()
        assert csv[0].startswith("time_utc,email,outcome,reason")
        assert len(csv) == 2 and ",failure,Wrong password," in csv[1]
        app.shot("06-activity-failures")
        # Admins can widen the list to everyone, including emails that have no account.
        desk.cli("signin", "nobody@example.com", stdin="wrong-password-123\n")
        app.click("filter-everyone")
        app.until(
            lambda: any(r["reason"] == "unknown_account" and "nobody@example.com" in r["text"] for r in app.rows("activity-row")),
            what="the unknown email listed",
        )
        app.shot("07-activity-everyone")


def test_a_cli_session_appears_and_ending_it_stops_its_token(desk: Desk):
    token = desk.cli_ok("signin", ADMIN, "--print-token", stdin=PASSWORD + "\n").strip()
    cli_session = next(s for s in desk.cli_json("sessions", "list", token=token) if s["isCurrent"])
    session_id = str(cli_session["id"])
    with desk.app() as app:
        rows = current_session_rows(app)
        row = next(r for r in rows if r["sessionId"] == session_id)
        assert row["current"] == "false" and "gatehouse CLI" in row["text"]
        app.shot("08-sessions-with-cli")
        app.click_in_row("session-row", "session-id", session_id, "end-session")
        app.gone(f'[data-testid="session-row"][data-session-id="{session_id}"]')
    refused = desk.cli("whoami", token=token)
    assert refused.returncode == 1 and "You are signed out" in refused.stderr


def test_sign_out_of_all_other_sessions_asks_first(desk: Desk):
    for _ in range(2):
        desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
    with desk.app() as app:
        assert len(current_session_rows(app)) >= 3
        app.click("end-others")
        app.find("confirm-dialog")
        app.shot("09-end-others-confirm")
        app.click("confirm-cancel")
        assert len(app.rows("session-row")) >= 3
        app.click("end-others")
        app.click("confirm-ok")
        assert app.step_up_if_asked(PASSWORD), "ending all other sessions asks to confirm"
        app.until(lambda: [r["current"] for r in app.rows("session-row")] == ["true"], what="only this session")
    assert desk.cli("whoami").returncode == 1


def test_devices_can_be_renamed_and_removing_one_signs_it_out(desk: Desk):
    desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
    with desk.app() as app:
        app.click("nav-security")
        app.click("tab-devices")
        app.find("device-row")
        rows = app.rows("device-row")
        current = next(r for r in rows if r["current"] == "true")
        terminal = next(r for r in rows if r["current"] == "false" and "terminal" in r["text"].lower())
        app.shot("10-devices")
        app.click_in_row("device-row", "device-id", current["deviceId"], "rename-device")
        # The field stops at the core's limit (generated from Rust); the core refuses more.
        app.type("device-name-input", "x" * 65)
        assert len(app.find("device-name-input").get_attribute("value")) == 64
        refused = app.op("rename_device", {"deviceId": int(current["deviceId"]), "name": "x" * 65})
        assert refused["ok"] is False and refused["error"]["code"] == "invalid_input", refused
        assert "Device name" in refused["error"]["message"]
        app.type("device-name-input", "   ")
        app.click("device-name-save")
        assert "Device name" in app.text("form-error")
        app.type("device-name-input", "Ada's workstation")
        app.click("device-name-save")
        app.until(lambda: any("Ada's workstation" in r["text"] for r in app.rows("device-row")), what="renamed")
        app.click_in_row("device-row", "device-id", terminal["deviceId"], "remove-device")
        app.find("confirm-dialog")
        app.shot("11-remove-device-confirm")
        app.click("confirm-ok")
        app.step_up_if_asked(PASSWORD)
        app.gone(f'[data-testid="device-row"][data-device-id="{terminal["deviceId"]}"]')
    refused = desk.cli("whoami")
    assert refused.returncode == 1 and "signed out" in refused.stderr


def test_an_admin_creates_views_and_disables_a_user(desk: Desk):
    with desk.app() as app:
        app.click("nav-users")
        app.find("user-row")
        app.click("new-user-button")
        app.type("user-email", BOB)
        app.type("user-name", "Bob Builder")
        app.type("user-password", BOB_PASSWORD)
        app.click("user-submit")
        app.step_up_if_asked(PASSWORD)
        app.find("user-row")
        app.until(lambda: any(r["email"] == BOB for r in app.rows("user-row")), what="bob listed")
        app.shot("12-users")
        desk.cli("signin", BOB, stdin="wrong-password-123\n")
        desk.cli_ok("signin", BOB, stdin=BOB_PASSWORD + "\n")
        app.click_in_row("user-row", "email", BOB, "user-view")
        app.click("tab-activity")
        app.find("activity-row")
        reasons = [r["reason"] for r in app.rows("activity-row")]
        assert reasons == ["signed_in", "wrong_password"]
        app.shot("13-user-detail-activity")
        app.click("nav-users")
        app.click_in_row("user-row", "email", BOB, "user-disable")
        app.click("confirm-ok")
        app.step_up_if_asked(PASSWORD)
        app.until(lambda: any(r["email"] == BOB and "Disabled" in r["text"] for r in app.rows("user-row")), what="bob disabled")
    refused = desk.cli("whoami")
    assert refused.returncode == 1


def test_changing_the_password_needs_a_strong_one(desk: Desk):
    with desk.app() as app:
        app.click("nav-account")
        app.type("password-current", PASSWORD)
        app.type("password-new", "password1")
        app.type("password-confirm", "password1")
        assert int(app.find("password-strength").get_attribute("data-score")) < 2
        assert not app.find("password-submit").is_enabled()
        app.shot("14-account-weak-password")
        app.type("password-new", NEW_PASSWORD)
        app.type("password-confirm", NEW_PASSWORD)
        app.until(lambda: app.find("password-submit").is_enabled(), what="submit enabled")
        app.click("password-submit")
        assert "Password changed" in app.text("form-success")
    desk.cli_ok("signin", ADMIN, stdin=NEW_PASSWORD + "\n")


def test_lock_and_unlock_with_the_password(desk: Desk):
    with desk.app() as app:
        app.click("lock-button")
        app.find("lock-screen")
        app.shot("15-locked")
        app.type("unlock-password", "wrong-password-123")
        app.click("unlock-submit")
        assert app.text("form-error") == "The password is incorrect."
        app.type("unlock-password", NEW_PASSWORD)
        app.click("unlock-submit")
        app.find("nav-security")


def test_bad_input_through_the_commands_gets_clear_errors_and_changes_nothing(desk: Desk):
    with desk.app() as app:
        app.find("nav-security")
        devices = app.op("list_devices", {"userId": None})["value"]
        current = next(d for d in devices if d["isCurrent"])
        cases = [
            ("rename_device", {"deviceId": current["id"], "name": ""}, "invalid_input"),
            ("rename_device", {"deviceId": current["id"], "name": "n" * 10_000}, "invalid_input"),
            ("create_user", {"request": {"email": "", "name": "", "role": "member", "password": BOB_PASSWORD}}, "invalid_input"),
            ("create_user", {"request": {"email": "eve@example.com", "name": "", "role": "owner", "password": BOB_PASSWORD}}, "invalid_input"),
            ("create_user", {"request": {"email": "eve@example.com", "name": "", "role": "member", "password": "a" * 100_000}}, "password.weak"),
            ("reset_user_password", {"userId": 9999, "password": BOB_PASSWORD}, "not_found"),
            ("end_session", {"sessionId": 9999}, "not_found"),
            ("list_activity", {"query": {"userId": None, "everyone": False, "failuresOnly": False, "since": 10, "until": 5, "before": None, "limit": None}}, "invalid_input"),
        ]
        for command, args, code in cases:
            result = app.op(command, args)
            assert not result["ok"], command
            assert result["error"]["code"] == code, (command, result["error"])
            assert result["error"]["message"], command
        # A malformed argument is refused before reaching the core, naming the field.
        malformed = app.op("end_session", {"sessionId": "abc"})
        assert not malformed["ok"] and "sessionId" in str(malformed["error"])
        # Operations whose answers carry a token go through the shell's own commands only:
        # a token never reaches the web view.
        held = app.op("sign_in", {"email": ADMIN, "password": "x", "device": {}, "client": {}})
        assert not held["ok"] and held["error"]["code"] == "unknown_operation", held
        after = app.op("list_devices", {"userId": None})["value"]
        assert [d["name"] for d in after] == [d["name"] for d in devices]
        users = app.op("list_users", {})["value"]
        assert sorted(u["email"] for u in users) == [ADMIN, BOB]


def test_after_a_restart_the_app_is_still_signed_in(desk: Desk):
    with desk.app() as app:
        assert ADMIN in app.text("current-user")
        app.shot("16-restarted-signed-in")
    stored = subprocess.run(
        ["secret-tool", "search", "--all", "service", "gatehouse"], capture_output=True, text=True
    ).stdout
    assert "#session/desktop" in stored
