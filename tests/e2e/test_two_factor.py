"""Two-factor authentication end to end: enrol (the test reads the key off the screen and
computes codes with oathtool), the QR code decodes to the URI shown, sign in with a code and
with a backup code, the step-up prompt before signing out every other session, turning 2FA
off, and an admin requiring 2FA so that a user without it is taken into enrolment."""

from __future__ import annotations

import subprocess
import time

from conftest import App, Desk, oathtool
from conftest import sign_in as sign_in_with_password

ADMIN = "grace@example.com"
PASSWORD = "amber-sailing-compass-31"
BOB = "bob@example.com"
BOB_TEMPORARY = "temporary-orange-kettle-5"
BOB_PASSWORD = "quiet-meadow-copper-77"


def open_two_factor_tab(app: App):
    app.click("nav-security")
    app.click("tab-two-factor")
    return app.find("two-factor-status")


def enroll(app: App, desk: Desk, shot_prefix: str) -> tuple[str, list[str]]:
    """Runs the enrolment screens like a person with an authenticator app."""
    key = app.text("enrollment-key").replace(" ", "")
    uri = app.text("enrollment-uri")
    assert uri.startswith("otpauth://totp/Gatehouse:") and f"?secret={key}&issuer=Gatehouse" in uri, uri
    # The QR code on screen decodes (zbarimg, not our code) to exactly that URI.
    qr_png = desk.home / f"{shot_prefix}-qr.png"
    # (WebKitWebDriver's element screenshots come back black: crop the window's instead.)
    qr = app.find("enrollment-qr")
    app.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", qr)
    window_png = desk.home / f"{shot_prefix}-window.png"
    # The crop must come from a screenshot taken where the code was then: take it once the
    # page has stopped moving, and again if it moved while the shot was taken.
    rect = lambda: app.driver.execute_script(
        "const b = arguments[0].getBoundingClientRect(); return [b.x, b.y, b.width, b.height].map(Math.round);", qr
    )
    for _ in range(20):
        before = rect()
        time.sleep(0.1)
        if rect() != before:
            continue
        app.save_screenshot(window_png)
        if rect() == before:
            break
    x, y, width, height = before
    subprocess.run(["convert", str(window_png), "-crop", f"{width}x{height}+{x}+{y}", str(qr_png)], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(qr_png)], capture_output=True, text=True)
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stdout.strip() == uri
    app.shot(f"{shot_prefix}-enrol")
    app.type("enrollment-code", "000000")
    app.click("enrollment-submit")
    assert "not valid" in app.text("form-error")
    app.type("enrollment-code", oathtool(key))
    app.click("enrollment-submit")
    app.find("backup-codes")
    codes = [r["text"].strip() for r in app.rows("backup-code")]
    assert len(codes) == 10 and all(len(c) == 11 and c[5] == "-" for c in codes), codes
    app.shot(f"{shot_prefix}-backup-codes")
    return key, codes


def test_an_admin_turns_on_two_factor_authentication(desk: Desk):
    with desk.app() as app:
        app.click("connection-this-computer")  # the first run asks where Gatehouse runs
        app.find("setup-email")
        app.type("setup-email", ADMIN)
        app.type("setup-password", PASSWORD)
        app.type("setup-password-confirm", PASSWORD)
        app.click("setup-submit")
        status = open_two_factor_tab(app)
        assert status.get_attribute("data-enabled") == "false"
        app.shot("2fa-01-off")
        app.click("two-factor-setup")
        # Someone with this session but not the password must not enrol their own phone.
        assert app.step_up_if_asked(PASSWORD), "setting up 2FA asks for the password first"
        key, codes = enroll(app, desk, "2fa-02")
        app.click("backup-codes-save")
        saved = app.text("backup-codes-saved")
        path = saved[saved.index("/"):].strip().rstrip(".")
        text = open(path).read()
        assert all(code in text for code in codes)
        app.click("backup-codes-done")
        status = app.find("two-factor-status")
        app.until(lambda: app.find("two-factor-status").get_attribute("data-enabled") == "true", what="2FA on")
        assert app.text("backup-codes-left") == "10"
        app.shot("2fa-03-on")
    desk.key, desk.codes = key, codes


def test_sign_in_asks_for_a_code_after_the_password(desk: Desk):
    with desk.app() as app:
        app.click("signout-button")
        sign_in_with_password(app, ADMIN, PASSWORD)
        app.find("code-input")
        app.shot("2fa-04-code-step")
        app.type("code-input", "000000")
        app.click("code-submit")
        assert "not valid" in app.text("form-error")
        app.type("code-input", oathtool(desk.key, steps_ahead=1))
        app.click("code-submit")
        assert ADMIN in app.text("current-user")
        app.click("nav-security")
        app.find("session-row")
        rows = app.rows("session-row")
        assert any(r["current"] == "true" and "2FA" in r["text"] for r in rows), rows


def test_a_backup_code_signs_in_once_and_the_count_drops(desk: Desk):
    with desk.app() as app:
        app.click("signout-button")
        sign_in_with_password(app, ADMIN, PASSWORD)
        app.click("use-backup-code")
        app.type("code-input", desk.codes[0])
        app.click("code-submit")
        open_two_factor_tab(app)
        app.until(lambda: app.text("backup-codes-left") == "9", what="9 codes left")
        app.click("tab-activity")
        app.find("activity-row")
        assert "backup code" in app.rows("activity-row")[0]["text"]


def test_signing_out_every_other_session_asks_to_confirm_with_a_code(desk: Desk):
    # Another session from the CLI: password, then a backup code.
    desk.cli_ok("signin", ADMIN, stdin=f"{PASSWORD}\n{desk.codes[1]}\n")
    with desk.app() as app:
        app.click("nav-security")
        app.click("tab-sessions")
        app.find("session-row")
        assert len(app.rows("session-row")) >= 2
        app.click("end-others")
        app.click("confirm-ok")
        app.find("step-up-dialog")
        time.sleep(0.5)  # let the dialog's opening transition finish before the screenshot
        app.shot("2fa-05-step-up")
        app.type("step-up-input", "000000")
        app.click("step-up-submit")
        assert "not valid" in app.text("form-error")
        app.type("step-up-input", desk.codes[2])
        app.click("step-up-submit")
        app.until(lambda: [r["current"] for r in app.rows("session-row")] == ["true"], what="only this session")
    assert desk.cli("whoami").returncode == 1


def test_turning_two_factor_off_needs_the_password_and_a_code(desk: Desk):
    with desk.app() as app:
        open_two_factor_tab(app)
        app.click("two-factor-disable")
        app.type("disable-password", PASSWORD)
        app.type("disable-code", desk.codes[3])
        app.shot("2fa-06-disable")
        app.click("disable-submit")
        app.until(lambda: app.find("two-factor-status").get_attribute("data-enabled") == "false", what="2FA off")


def test_when_an_admin_requires_2fa_a_user_without_it_is_taken_into_enrolment(desk: Desk):
    with desk.app() as app:
        app.click("nav-users")
        app.click("new-user-button")
        app.type("user-email", BOB)
        app.type("user-password", BOB_TEMPORARY)
        app.click("user-submit")
        app.step_up_if_asked(PASSWORD)
        app.until(lambda: any(r["email"] == BOB for r in app.rows("user-row")), what="bob listed")
        app.click("nav-policy")
        app.click("policy-require-2fa")
        app.click("policy-save")
        app.step_up_if_asked(PASSWORD)
        app.find("form-success")
        app.shot("2fa-07-policy")
        app.click("signout-button")
        sign_in_with_password(app, BOB, BOB_TEMPORARY)
        # The admin chose that password: Bob replaces it first, then sets up 2FA (right
        # after signing in, so without being asked for the password again).
        app.find("choose-password")
        app.shot("2fa-08-choose-password")
        app.choose_password(BOB_TEMPORARY, BOB_PASSWORD)
        app.find("enrollment-required")
        app.shot("2fa-08-enrolment-required")
        assert not app.visible("step-up-dialog")
        enroll(app, desk, "2fa-09-bob")
        app.click("backup-codes-done")
        assert BOB in app.text("current-user")
