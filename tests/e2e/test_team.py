"""Team mode: the real desktop app connects to two real `gatehouse serve` instances (one
database, a self-signed TLS certificate made here), confirms the certificate's fingerprint,
and works against the server beside the CLI on the other instance."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import CLI, App, Desk, dunst_history, sign_in, start_tauri_driver

ADMIN = "ada@example.com"
PASSWORD = "violet-harbor-lantern-42"
BOB, BOB_PASSWORD = "bob@example.com", "quiet-meadow-copper-77"
CAROL, CAROL_PASSWORD = "carol@example.com", "silver-canyon-maple-58"
TEMPORARY = "amber-window-falcon-31"
ETH_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


class Team:
    """The server side: a data folder with its key file, a certificate, two servers."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "server-data"
        self.key = root / "data.key"
        self.servers: list[tuple[subprocess.Popen, str]] = []
        self.db(["keygen", str(self.key)])
        self.db(["init", "--email", ADMIN], stdin=PASSWORD + "\n")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
            check=True, capture_output=True,
        )
        out = subprocess.run(
            ["openssl", "x509", "-in", str(root / "cert.pem"), "-noout", "-fingerprint", "-sha256"],
            check=True, capture_output=True, text=True,
        ).stdout
        self.fingerprint = out.strip().split("=", 1)[1]
        for _ in range(2):
            self.start()

    def db(self, args: list[str], stdin: str = "") -> str:
        """The CLI on the server's database (the server host's side)."""
        result = subprocess.run(
            [str(CLI), "--data-dir", str(self.data), "--data-key-file", str(self.key), *args],
            input=stdin, capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, f"{args}: {result.stderr}"
        return result.stdout

    def start(self):
        process = subprocess.Popen(
            [str(CLI), "--data-dir", str(self.data), "--data-key-file", str(self.key), "serve",
             "--listen", "127.0.0.1:0", "--tls-cert", str(self.root / "cert.pem"),
             "--tls-key", str(self.root / "key.pem")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "GATEHOUSE_LOG": "warn"},
        )
        line = process.stdout.readline()
        assert line.startswith("Gatehouse is listening on "), line
        self.servers.append((process, line.split(" on ", 1)[1].strip()))

    def url(self, index: int) -> str:
        return self.servers[index][1]

    def cli(self, index: int, *args: str, stdin: str = "", token: str | None = None) -> subprocess.CompletedProcess:
        """The CLI on someone's computer, against server `index`, trusting the pinned certificate."""
        env = {k: v for k, v in os.environ.items() if k != "GATEHOUSE_TOKEN"}
        if token is not None:
            env["GATEHOUSE_TOKEN"] = token
        return subprocess.run(
            [str(CLI), "--server", self.url(index), "--server-fingerprint", self.fingerprint, *args],
            input=stdin, capture_output=True, text=True, timeout=60, env=env,
        )

    def cli_ok(self, index: int, *args: str, stdin: str = "", token: str | None = None) -> str:
        result = self.cli(index, *args, stdin=stdin, token=token)
        assert result.returncode == 0, f"gatehouse {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def stop(self, index: int):
        process, _ = self.servers[index]
        process.terminate()
        process.wait(timeout=20)

    def close(self):
        for process, _ in self.servers:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    team = Team(tmp_path_factory.mktemp("team"))
    yield team
    team.close()


def sessions(app: App) -> list[dict]:
    app.click("nav-security")
    app.click("tab-devices")
    app.click("tab-sessions")
    app.find("session-row")
    return app.rows("session-row")


def test_the_app_connects_to_the_team_server_after_the_fingerprint_is_confirmed(desk: Desk, team: Team):
    with desk.app() as app:
        app.find("connection-choice")
        app.click("connection-team")
        # Not a Gatehouse address, and not https: clear errors, nothing saved.
        app.type("connect-url", "gatehouse.example")
        app.click("connect-check")
        assert "https://" in app.text("form-error")
        app.type("connect-url", team.url(0))
        app.click("connect-check")
        app.find("connect-untrusted")
        shown = app.find("connect-fingerprint").get_attribute("data-value")
        assert shown == team.fingerprint
        app.shot("team-01-confirm-fingerprint")
        app.click("connect-confirm-fingerprint")

        app.find("signin-email")
        assert team.url(0) in app.text("signin-connection")
        app.shot("team-02-sign-in")
        sign_in(app, ADMIN, PASSWORD)
        app.find("nav-security")
        rows = sessions(app)
        current = next(r for r in rows if r["current"] == "true")
        assert "127.0.0.1" in current["text"] and "Gatehouse desktop" in current["text"], current
    # The choice and the session are remembered: the app starts on the server, signed in.
    with desk.app() as app:
        app.find("nav-security")


def test_a_cli_session_on_the_other_instance_shows_up_and_ending_it_stops_the_cli(desk: Desk, team: Team):
    token = team.cli_ok(1, "signin", ADMIN, "--print-token", stdin=PASSWORD + "\n").strip()
    assert team.cli(1, "whoami", token=token).returncode == 0
    with desk.app() as app:
        app.find("nav-security")
        rows = sessions(app)
        # The CLI's session through the server (the one `gatehouse init` opened on the server
        # host is listed too, from that host's own address).
        cli_row = next(r for r in rows if "gatehouse CLI" in r["text"] and "127.0.0.1" in r["text"])
        app.click_in_row("session-row", "session-id", cli_row["sessionId"], "end-session")
        app.step_up_if_asked(PASSWORD)
        app.until(
            lambda: all(r["sessionId"] != cli_row["sessionId"] for r in app.rows("session-row")),
            what="the CLI session gone",
        )
        app.shot("team-03-cli-session-ended")
    ended = team.cli(1, "whoami", token=token)
    assert ended.returncode == 1 and "signed out" in ended.stderr, ended.stderr


def test_finance_approves_in_the_app_what_a_member_asked_for_in_the_cli(desk: Desk, team: Team):
    admin = team.cli_ok(1, "signin", ADMIN, "--print-token", stdin=PASSWORD + "\n").strip()
    team.cli_ok(1, "user", "add", BOB, "--role", "member", stdin=f"{TEMPORARY}\n{PASSWORD}\n", token=admin)
    team.cli_ok(1, "user", "add", CAROL, "--role", "finance", stdin=f"{TEMPORARY}\n", token=admin)
    team.cli_ok(1, "policy", "set", "--withdrawals-need-approval", "true", token=admin)
    for email, password in ((BOB, BOB_PASSWORD), (CAROL, CAROL_PASSWORD)):
        temporary = team.cli_ok(1, "signin", email, "--print-token", stdin=TEMPORARY + "\n").strip()
        team.cli_ok(1, "password", "change", stdin=f"{TEMPORARY}\n{password}\n", token=temporary)
    bob = team.cli_ok(1, "signin", BOB, "--print-token", stdin=BOB_PASSWORD + "\n").strip()
    team.cli_ok(1, "address", "add", "Cold wallet", "ethereum", ETH_ADDRESS, stdin=BOB_PASSWORD + "\n", token=bob)
    # A day passes for the address's cooling-off (the server reads the database's clock).
    subprocess.run(["sqlite3", str(team.data / "gatehouse.db"), "UPDATE addresses SET usable_from = 0"], check=True)
    address_id = team.cli_ok(1, "address", "list", "--json", token=bob).split('"id":', 1)[1].split(",", 1)[0].strip()
    asked = team.cli_ok(1, "withdraw", "create", address_id, "ETH", "0.75", token=bob)
    assert "(pending)" in asked, asked

    with desk.app() as app:
        app.click("signout-button")
        sign_in(app, CAROL, CAROL_PASSWORD)
        app.click("nav-withdraw")
        app.until(lambda: app.rows("withdrawal-row"), what="Bob's request")
        request = app.rows("withdrawal-row")[0]
        assert request["status"] == "pending" and "0.75 ETH" in request["text"], request
        app.click_in_row("withdrawal-row", "id", request["id"], "withdrawal-approve")
        app.find("decision-dialog")
        app.click("decision-submit")
        app.step_up_if_asked(CAROL_PASSWORD)
        app.until(lambda: app.rows("withdrawal-row")[0]["status"] == "approved", what="the approved request")
    listed = team.cli_ok(0, "withdraw", "list", "--mine", token=bob)
    assert "approved" in listed and CAROL in listed, listed


def test_a_server_that_goes_away_or_is_not_gatehouse_gets_a_clear_message(desk: Desk, team: Team):
    class NotGatehouse(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>Hello</html>")

        def log_message(self, *args):
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotGatehouse)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with desk.app() as app:
            app.click("nav-security")
            team.stop(0)
            app.click("tab-devices")
            app.until(lambda: "Could not reach the Gatehouse server" in app.driver.page_source, what="the unreachable message")
            # The event stream says so too, and keeps trying.
            assert "Nothing is lost" in app.text("connection-banner")
            app.shot("team-04-server-gone")
        with desk.app() as app:
            # At start-up the app says so, and offers to choose again.
            app.find("start-change-connection")
            assert "Could not reach" in app.driver.page_source
            app.click("start-change-connection")
            app.click("connection-team")
            app.type("connect-url", f"http://127.0.0.1:{other.server_address[1]}")
            app.click("connect-check")
            assert "not like a Gatehouse server" in app.text("form-error")
            # The other instance of the same team: its certificate was already confirmed once,
            # but this is a new address, so it is asked again.
            app.type("connect-url", team.url(1))
            app.click("connect-check")
            app.find("connect-untrusted")
            app.type("connect-ca-file", str(team.root / "cert.pem"))
            app.click("connect-ca-submit")
            app.until(lambda: app.visible("signin-email") or app.visible("form-error"), what="an answer")
            if app.visible("form-error"):
                # A self-signed certificate is not a CA: the app says why; the pin works.
                assert "not trusted" in app.text("form-error"), app.text("form-error")
                app.click("connect-confirm-fingerprint")
            sign_in(app, ADMIN, PASSWORD)
            app.find("nav-security")
    finally:
        other.shutdown()


@pytest.fixture(scope="module")
def second_desk(tmp_path_factory, home: Path):
    """A second computer: its own data folder and its own WebDriver, so two apps run at once."""
    url, driver = start_tauri_driver(home, "tauri-driver-2.log")
    yield Desk(url, tmp_path_factory.mktemp("second-data"), home)
    driver.terminate()
    driver.wait(timeout=10)


def connect(app: App, team: Team, index: int):
    """First run: the team's server `index`, its certificate confirmed."""
    app.find("connection-choice")
    app.click("connection-team")
    app.type("connect-url", team.url(index))
    app.click("connect-check")
    app.click("connect-confirm-fingerprint")


def test_an_admin_ends_a_members_session_from_its_alert_and_the_members_app_says_who(
    desk: Desk, second_desk: Desk, team: Team
):
    # The admin's app is on instance 1 since the previous test stopped instance 0. Bob's
    # computer uses a third instance: the two apps share this machine's keychain, which keeps
    # one session per server address.
    team.start()
    bobs_server = len(team.servers) - 1
    with desk.app() as admin:
        admin.find("notices-button")
        bobs_sign_ins = lambda: [n for n in dunst_history() if n["summary"].startswith(f"{BOB} signed in")]
        before = len(bobs_sign_ins())
        with second_desk.app() as member:
            # Bob signs in on his computer, through the other instance.
            connect(member, team, bobs_server)
            sign_in(member, BOB, BOB_PASSWORD)
            member.find("nav-security")
            # The admin's app, on instance 1, shows it natively.
            admin.until(lambda: len(bobs_sign_ins()) > before, what="the native notification of Bob's sign-in")
            shown = bobs_sign_ins()[0]
            assert "Gatehouse desktop" in shown["body"], shown
            admin.click("notices-button")
            newest = lambda: next(iter(admin.rows("notice-row")), {"kind": ""})
            admin.until(lambda: newest()["kind"].startswith("everyone."), what="Bob's sign-in")
            admin.shot("team-05-member-sign-in-alert")
            admin.click("notice-end-session")
            admin.step_up_if_asked(PASSWORD)
            assert "Ended that session" in admin.text("end-session-result")
            # Bob's app drops to the sign-in screen, saying who ended his session.
            reason = member.text("sign-in-reason")
            assert ADMIN in reason and "ended this session" in reason, reason
            member.shot("team-06-session-ended-by-admin")


def test_the_withdraw_page_shows_a_new_request_without_a_reload(second_desk: Desk, team: Team):
    # Bob asks through instance 1; Carol's app is on the third.
    bob = team.cli_ok(1, "signin", BOB, "--print-token", stdin=BOB_PASSWORD + "\n").strip()
    address_id = team.cli_ok(1, "address", "list", "--json", token=bob).split('"id":', 1)[1].split(",", 1)[0].strip()
    with second_desk.app() as finance:
        sign_in(finance, CAROL, CAROL_PASSWORD)
        finance.click("nav-withdraw")
        finance.until(lambda: finance.rows("withdrawal-row"), what="the earlier request")
        before = {row["id"] for row in finance.rows("withdrawal-row")}
        asked = team.cli_ok(1, "withdraw", "create", address_id, "ETH", "0.25", stdin=BOB_PASSWORD + "\n", token=bob)
        assert "(pending)" in asked, asked
        finance.until(
            lambda: any(r["id"] not in before and r["status"] == "pending" for r in finance.rows("withdrawal-row")),
            what="the new request, without a reload",
        )
        finance.shot("team-07-new-request-arrives")
