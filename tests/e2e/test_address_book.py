"""The address book and withdrawals end to end, like finance staff and an approver would use
them: an address added with a two-factor step-up cools off; a poisoned look-alike is flagged
with its differing middle highlighted; with no cooling-off an address is usable at once and
a withdrawal is made by picking it; a second user approves it (the requester cannot); the
copy button puts exactly the address on the real X clipboard."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import time

from conftest import CLI, App, Desk

ADMIN = "grace@example.com"
PASSWORD = "amber-sailing-compass-31"
FINN = "finn@example.com"
OPS = "ops@example.com"
OPS_PASSWORD = "granite-orchard-signal-64"
FINN_TEMPORARY = "temporary-orange-kettle-5"
FINN_PASSWORD = "copper-lantern-harbour-58"

# Known-good mainnet addresses (BIP-173's P2WPKH example; EIP-55's checksummed example).
BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BTC_FLIPPED = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
# BIP-173's P2WSH example.
BTC_SECOND = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"
# Address poisoning: the same first and last characters, a different middle (lowercase, so
# it needs no checksum of its own).
ETH_POISONED = "0x5aaeb6" + "0" * 28 + "1beaed"


def differing_middles(a: str, b: str) -> list[str]:
    """The parts of `a` and `b` between their common start and end (ignoring case)."""
    a_low, b_low = a.lower(), b.lower()
    start = next(i for i, (x, y) in enumerate(zip(a_low, b_low)) if x != y)
    end = next(i for i, (x, y) in enumerate(zip(a_low[::-1], b_low[::-1])) if x != y)
    return [a_low[start : len(a) - end], b_low[start : len(b) - end]]


class Authenticator:
    """An authenticator app: codes from oathtool, never the same 30-second step twice
    (Gatehouse refuses a replayed code)."""

    def __init__(self, key: str):
        self.key = key
        self.last_step = -1

    def code(self) -> str:
        step = max(int(time.time()) // 30, self.last_step + 1)
        while step > int(time.time()) // 30 + 1:  # only one step ahead is accepted
            time.sleep(1)
        self.last_step = step
        out = subprocess.run(
            ["oathtool", "--totp", "-b", self.key, "-N", f"@{step * 30}"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()


AUTH: dict[str, Authenticator] = {}


def enroll_with_cli(desk: Desk, password: str) -> Authenticator:
    """`gatehouse 2fa enroll` like a person: confirm with the password, read the key it
    prints, answer with a code."""
    proc = subprocess.Popen(
        [str(CLI), "--data-dir", str(desk.data_dir), "2fa", "enroll"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    proc.stdin.write(password + "\n")
    proc.stdin.flush()
    key = None
    for line in proc.stdout:
        if line.startswith("Or type this key: "):
            key = line.removeprefix("Or type this key: ").strip().replace(" ", "")
            break
    assert key, "2fa enroll printed no key"
    authenticator = Authenticator(key)
    out, err = proc.communicate(authenticator.code() + "\n", timeout=60)
    assert proc.returncode == 0, err
    assert "Two-factor authentication is on." in out
    return authenticator


def second_admin_token(desk: Desk) -> str:
    """A session of another admin, made here with the CLI the first time. Added while the
    first admin was the team's only approver, they count as the second person at once."""
    if not any(user["email"] == OPS for user in desk.cli_json("user", "list")):
        desk.cli_ok("user", "add", OPS, "--role", "admin", stdin=f"{FINN_TEMPORARY}\n{AUTH[ADMIN].code()}\n")
        token = desk.cli_ok("signin", OPS, "--print-token", stdin=f"{FINN_TEMPORARY}\n").strip()
        desk.cli_ok("password", "change", stdin=f"{FINN_TEMPORARY}\n{OPS_PASSWORD}\n", token=token)
        return token
    return desk.cli_ok("signin", OPS, "--print-token", stdin=f"{OPS_PASSWORD}\n").strip()


def confirm_as_second_admin(desk: Desk, change_id: int):
    """Another admin confirms a pending policy change."""
    token = second_admin_token(desk)
    out = desk.cli_ok("policy", "confirm", str(change_id), stdin=f"{OPS_PASSWORD}\n", token=token)
    assert f"Change {change_id} confirmed" in out
    # The CLI's keychain session is the admin's again for the rest of the tests.
    desk.cli_ok("signin", ADMIN, stdin=f"{PASSWORD}\n{AUTH[ADMIN].code()}\n")


def sign_in(app: App, email: str, password: str):
    app.find("signin-email")
    app.type("signin-email", email)
    app.type("signin-password", password)
    app.click("signin-submit")


def open_address_book(app: App):
    app.click("nav-addresses")
    app.find("address-search")


def fill_address(app: App, label: str, network: str, address: str):
    app.click("address-add-button")
    app.find("address-dialog")
    app.type("address-label", label)
    app.select("address-network", network)
    app.type("address-value", address)


def address_rows(app: App) -> dict[str, dict]:
    return {row["label"]: row for row in app.rows("address-row")}


def test_an_address_added_with_a_two_factor_step_up_cools_off(desk: Desk):
    with desk.app() as app:
        app.click("connection-this-computer")  # the first run asks where Gatehouse runs
        app.find("setup-email")
        app.type("setup-email", ADMIN)
        app.type("setup-password", PASSWORD)
        app.type("setup-password-confirm", PASSWORD)
        app.click("setup-submit")
        app.find("nav-addresses")
        desk.cli_ok("signin", ADMIN, stdin=PASSWORD + "\n")
        AUTH[ADMIN] = enroll_with_cli(desk, PASSWORD)

        open_address_book(app)
        assert "No saved addresses yet" in app.text("empty-state")
        app.shot("book-01-empty")

        fill_address(app, "Exchange hot wallet", "bitcoin", BTC_FLIPPED)
        app.until(lambda: app.find("address-check").get_attribute("data-state") == "invalid", what="address refused")
        assert "checksum" in app.text("address-check").lower()
        assert not app.find("address-submit").is_enabled()
        app.shot("book-02-invalid-address")

        app.type("address-value", f"  {BTC}\n")  # whitespace around a paste is trimmed
        app.until(lambda: app.find("address-check").get_attribute("data-state") == "valid", what="address accepted")
        assert "Valid Bitcoin address" in app.text("address-check")
        assert "24 hours after saving" in app.text("address-cooling-hint")
        app.click("address-submit")
        assert app.step_up_if_asked(AUTH[ADMIN].code()), "saving an address asks to confirm it's you"
        app.until(lambda: "Exchange hot wallet" in address_rows(app), what="the saved address")
        row = address_rows(app)["Exchange hot wallet"]
        assert row["usable"] == "false"
        assert "Cooling off" in row["text"] and "Usable from" in row["text"]
        assert BTC in row["text"]
        app.shot("book-03-cooling-off")

        # On the Withdraw page it is offered, but disabled until the cooling-off ends.
        app.click("nav-withdraw")
        app.select("withdraw-network", "bitcoin")
        app.until(lambda: app.rows("withdraw-address-option"), what="saved bitcoin addresses")
        option = app.rows("withdraw-address-option")[0]
        assert option["label"] == "Exchange hot wallet" and option["usable"] == "false"
        assert "Usable from" in option["text"]
        assert not app.find("withdraw-submit").is_enabled()
        app.shot("withdraw-01-cooling-address-disabled")

    saved = desk.cli_json("address", "list")
    assert [(a["label"], a["address"], a["usable"]) for a in saved] == [("Exchange hot wallet", BTC, False)]


def test_with_no_cooling_off_an_address_is_usable_at_once_and_a_look_alike_is_flagged(desk: Desk):
    with desk.app() as app:
        app.click("nav-policy")
        app.type("policy-address-cooling-off-minutes", "0")
        if not app.find("policy-withdrawals-need-approval").is_selected():
            app.click("policy-withdrawals-need-approval")
        app.click("policy-save")
        app.step_up_if_asked(AUTH[ADMIN].code())
        # Approval on applies at once; no cooling-off weakens protection, so it waits for a
        # day in plain sight — unless a second admin confirms it.
        assert "Address cooling-off weakens protection" in app.text("form-success")
        pending = app.until(lambda: app.rows("policy-pending-row"), what="the pending change")
        assert [row["setting"] for row in pending] == ["addressCoolingOffMinutes"]
        assert not app.visible("policy-pending-confirm"), "the proposer can't confirm their own change"
        # The pending change is listed at the top of the page: show it there.
        app.driver.execute_script(
            "for (let e = arguments[0]; e; e = e.parentElement) e.scrollTop = 0; window.scrollTo(0, 0);",
            app.find("policy-pending"),
        )
        app.shot("policy-01-pending")
        confirm_as_second_admin(desk, int(pending[0]["id"]))
        app.click("nav-security")
        app.click("nav-policy")
        app.find("policy-address-cooling-off-minutes")
        app.until(lambda: not app.visible("policy-pending"), what="no pending change left")
        assert app.find("policy-address-cooling-off-minutes").get_attribute("value") == "0"
        app.shot("policy-withdrawals")

        open_address_book(app)
        fill_address(app, "Treasury", "ethereum", ETH)
        app.until(lambda: app.find("address-check").get_attribute("data-state") == "valid", what="address accepted")
        assert "at once" in app.text("address-cooling-hint")
        app.click("address-submit")
        app.step_up_if_asked(AUTH[ADMIN].code())
        app.until(lambda: "Treasury" in address_rows(app), what="the saved address")
        assert address_rows(app)["Treasury"]["usable"] == "true"

        # A poisoned variant: warned loudly, the differing middles highlighted, and saving
        # waits for an explicit confirmation.
        fill_address(app, "Treasury (new)", "ethereum", ETH_POISONED)
        app.find("lookalike-warning")
        looks = app.rows("lookalike-row")
        assert [look["label"] for look in looks] == ["Treasury"]
        middles = app.driver.execute_script(
            "return [...document.querySelectorAll('[data-testid=address-middle]')].map(e => e.textContent)"
        )
        # (the saved one first; the candidate is shown in its canonical, checksummed form)
        assert [m.lower() for m in middles] == differing_middles(ETH, ETH_POISONED), middles
        assert not app.find("address-submit").is_enabled()
        app.shot("book-04-lookalike-warning")
        app.click("lookalike-confirm")
        assert app.find("address-submit").is_enabled()
        app.shot("book-05-lookalike-confirmed")
        app.click("address-cancel")
        app.gone('[data-testid="address-dialog"][open]')

        # Search by a fragment of an address, and filter by network.
        app.type("address-search", "F3E94C9")
        app.until(lambda: list(address_rows(app)) == ["Treasury"], what="search by address fragment")
        app.type("address-search", "")
        app.select("address-network-filter", "bitcoin")
        app.until(lambda: list(address_rows(app)) == ["Exchange hot wallet"], what="filter by network")
        app.select("address-network-filter", "")
        app.shot("book-06-list")

    labels = sorted(a["label"] for a in desk.cli_json("address", "list"))
    assert labels == ["Exchange hot wallet", "Treasury"], "the unconfirmed look-alike was not saved"


def test_a_withdrawal_picked_from_the_book_is_approved_by_another_user(desk: Desk):
    # With a second admin on the team, Finn, whose password the admin chose, is a new
    # approver: he can approve only a day (the protection change delay) after being added.
    second_admin_token(desk)
    desk.cli_ok("signin", ADMIN, stdin=f"{PASSWORD}\n{AUTH[ADMIN].code()}\n")
    desk.cli_ok("user", "add", FINN, "--role", "finance", stdin=f"{FINN_TEMPORARY}\n{AUTH[ADMIN].code()}\n")
    finn = next(user for user in desk.cli_json("user", "list") if user["email"] == FINN)
    assert finn["approvesFrom"] > time.time() * 1000 + 23 * 3600 * 1000, finn
    with desk.app() as app:
        # Copy: exactly the address lands on the X clipboard, and the first and last six show.
        open_address_book(app)
        app.click_in_row("address-row", "label", "Treasury", "address-copy")
        assert app.text("copy-first") == ETH[:6] and app.text("copy-last") == ETH[-6:]
        clipboard = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True)
        assert clipboard.stdout == ETH
        app.shot("book-07-copied")

        app.click("nav-withdraw")
        app.select("withdraw-network", "ethereum")
        app.until(lambda: app.rows("withdraw-address-option"), what="saved ethereum addresses")
        app.driver.find_element("css selector", '[data-testid="withdraw-address-option"][data-label="Treasury"]').click()
        app.select("withdraw-asset", "ETH")
        app.type("withdraw-amount", "1.1234567890123456789")  # 19 decimals: ETH has 18
        assert "at most 18 decimal places" in app.text("withdraw-amount-hint")
        assert not app.find("withdraw-submit").is_enabled()
        app.type("withdraw-amount", "1.25")
        app.type("withdraw-note", "Quarterly rebalance")
        assert "1.25 ETH" in app.text("withdraw-summary")
        app.shot("withdraw-02-form")
        app.click("withdraw-submit")
        app.step_up_if_asked(AUTH[ADMIN].code())
        assert "waiting for another administrator or finance user" in app.text("form-success")
        app.until(lambda: app.rows("withdrawal-row"), what="the request in the list")
        request = app.rows("withdrawal-row")[0]
        assert request["status"] == "pending" and request["label"] == "Treasury"
        # The requester can't approve their own: no button, and the command refuses too.
        assert not app.driver.find_elements("css selector", '[data-testid="withdrawal-approve"]')
        refused = app.op("decide_withdrawal", {"withdrawalId": int(request["id"]), "approve": True, "note": ""})
        assert refused["ok"] is False and refused["error"]["code"] == "withdrawal.self_approval"
        app.shot("withdraw-03-pending")
        app.click("signout-button")

        sign_in(app, FINN, FINN_TEMPORARY)
        app.choose_password(FINN_TEMPORARY, FINN_PASSWORD)
        app.until(lambda: app.visible("notices-unread"), what="an unread notice")
        assert app.text("notices-unread") == "2"
        app.click("notices-button")
        rows = app.until(lambda: app.rows("notice-row"), what="the notices list")
        # Finn's own sign-in is listed too (already read: it was this session's); so is his
        # becoming an approver, which every approver hears of.
        unread = {row["kind"]: row["text"] for row in rows if row["read"] == "false"}
        assert sorted(unread) == ["policy.weakened.approver", "withdrawal.requested"], rows
        assert "1.25 ETH" in unread["withdrawal.requested"]
        app.shot("notices-01-panel")
        app.driver.find_element(
            "css selector", '[data-testid="notice-row"][data-kind="withdrawal.requested"]'
        ).click()
        app.find("withdraw-submit")  # the notice opened the Withdraw page
        app.until(lambda: app.text("notices-unread") == "1", what="the notice marked read")

        app.click_in_row("withdrawal-row", "id", request["id"], "withdrawal-approve")
        app.find("decision-dialog")
        app.type("decision-note", "Checked with the treasury sheet")
        app.click("decision-submit")
        refused = app.until(lambda: app.visible("form-error") and app.text("form-error"), what="the refusal")
        assert "You are a new approver" in refused, refused
        app.shot("withdraw-04-new-approver")
        # A day passes for Finn (the app runs on the real clock; the database is moved, as
        # the server tests move an address's cooling-off).
        db = sqlite3.connect(desk.data_dir / "gatehouse.db", timeout=10)
        with db:
            db.execute("UPDATE users SET approves_from = NULL WHERE email = ?", (FINN,))
        db.close()
        app.shot("withdraw-04-approve")
        app.click("decision-submit")
        assert app.step_up_if_asked(FINN_PASSWORD), "approving asks to confirm it's you"
        app.until(
            lambda: app.rows("withdrawal-row") and app.rows("withdrawal-row")[0]["status"] == "approved",
            what="the approved request",
        )
        assert f"by {FINN}" in app.rows("withdrawal-row")[0]["text"]
        app.shot("withdraw-05-approved")

        app.click("withdrawals-export")
        saved_to = app.text("withdrawals-message").split(" to ", 1)[1]
        with open(saved_to, newline="") as exported:
            rows = list(csv.DictReader(exported))
        assert [(r["status"], r["amount"], r["asset"], r["address"]) for r in rows] == [("approved", "1.25", "ETH", ETH)]

    # Editing the book afterwards does not rewrite the request's history.
    listed = desk.cli_json("withdraw", "list")
    assert [(w["status"], w["address"], w["decidedBy"]) for w in listed] == [("approved", ETH, FINN)]


def test_the_cli_edits_an_entry_by_its_id_however_big_the_book(desk: Desk):
    # Two hundred entries that sort before "Zebra" (written straight into the database: only
    # their number matters), then one the CLI adds and edits by id.
    db = sqlite3.connect(desk.data_dir / "gatehouse.db", timeout=10)
    with db:
        (admin_id,) = db.execute("SELECT id FROM users WHERE email = ?", (ADMIN,)).fetchone()
        now = int(time.time() * 1000)
        db.executemany(
            "INSERT INTO addresses (owner_id, label, network, address, note, added_by, created_at, updated_at,"
            " usable_from) VALUES (?, ?, 'bitcoin', ?, '', ?, ?, ?, ?)",
            [(admin_id, f"Aaa bulk {n:03}", f"bulk-{n:03}", admin_id, now, now, now) for n in range(200)],
        )
    db.close()
    desk.cli_ok("address", "add", "Zebra", "bitcoin", BTC_SECOND, stdin=AUTH[ADMIN].code() + "\n")
    zebra = next(a for a in desk.cli_json("address", "list", "--search", "Zebra") if a["label"] == "Zebra")
    assert not any(a["label"] == "Zebra" for a in desk.cli_json("address", "list")), "beyond the first page"
    out = desk.cli_ok("address", "edit", str(zebra["id"]), "--label", "Zebra (cold)", stdin=AUTH[ADMIN].code() + "\n")
    assert "Zebra (cold)" in out
