"""The packages a user installs, made by `scripts/package --debug` from the binaries
scripts/test built. The .deb is installed with apt, its files checked, the installed CLI
and app run on a fresh home folder, then removed — the user's data stays. The .rpm is
checked and installed by rpm into an empty root folder. And the release workflow that
builds the other platforms' packages is valid GitHub Actions."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions

from conftest import ROOT, App, children, exited, start_tauri_driver

ADMIN = "ada@example.com"
PASSWORD = "violet-harbor-lantern-42"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
WEB_EXTENSION = "/usr/lib/gatehouse/web-extensions/libgatehouse_footprint.so"
# The bundler adds WebKitGTK, GTK and, because the app has a tray icon, the tray library
# (loaded at run time, so no linker tool sees it); tauri.conf.json adds D-Bus (the keychain;
# the CLI links it directly).
DEPENDS = ("libwebkit2gtk-4.1-0", "libgtk-3-0", "libayatana-appindicator3-1", "libdbus-1-3")
# The same as the .rpm's bundler declares them: by the libraries' names.
RPM_REQUIRES = tuple(
    f"{soname}()(64bit)"
    for soname in ("libwebkit2gtk-4.1.so.0", "libgtk-3.so.0", "libayatana-appindicator3.so.1", "libdbus-1.so.3")
)
REPORT = ROOT / "artifacts" / "package.txt"
SUDO = [] if os.geteuid() == 0 else ["sudo", "-n"]


def test_the_release_workflow_is_valid_github_actions():
    workflow = ROOT / ".github" / "workflows" / "release.yml"
    checker = ROOT / ".venv" / "bin" / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deb_installs_runs_and_uninstalls_keeping_the_users_data(tmp_path: Path):
    if SUDO and subprocess.run([*SUDO, "true"], capture_output=True).returncode != 0:
        pytest.skip("installing a package needs root or password-less sudo")
    started = time.monotonic()
    REPORT.unlink(missing_ok=True)
    deb = build_deb()
    home = tmp_path / "home"
    home.mkdir()
    # The folder gatehouse_host::default_data_dir picks on Linux ($XDG_DATA_HOME/gatehouse).
    data_dir = home / ".local" / "share" / "gatehouse"
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    with installed(deb) as package:
        with timed("the installed files and dependencies checked"):
            check_installed_files(package)
        assert output("/usr/bin/gatehouse", "--version").strip() == f"gatehouse {deb_field(deb, 'Version')}"
        with timed("gatehouse init"):
            run_cli(env, "init", "--email", ADMIN, stdin=PASSWORD + "\n")
        assert (data_dir / "gatehouse.db").is_file()
        with timed("the installed app up to its sign-in screen"):
            see_the_sign_in_screen(home, env)
    assert not Path("/usr/bin/gatehouse").exists() and not Path("/usr/bin/gatehouse-desktop").exists()
    assert (data_dir / "gatehouse.db").is_file(), "removing the package must keep the user's data"
    record(f"the whole test: {time.monotonic() - started:.1f} s")


def test_the_rpm_holds_the_app_and_installs_with_rpm(tmp_path: Path):
    """The .rpm, as scripts/package rebuilds it with rpmbuild to compress its payload: its
    digests check, it declares the app's dependencies, and rpm installs it into an empty
    root folder (not this Debian machine's), where its files match what was built."""
    if SUDO and subprocess.run([*SUDO, "true"], capture_output=True).returncode != 0:
        pytest.skip("rpm installs into another root folder only as root")
    with timed("scripts/package --debug --bundles rpm"):
        subprocess.run([str(ROOT / "scripts" / "package"), "--debug", "--bundles", "rpm"], check=True, cwd=ROOT)
    rpms = list((ROOT / "target" / "debug" / "bundle" / "rpm").glob("*.rpm"))
    assert len(rpms) == 1, rpms
    rpm = str(rpms[0])
    record(f"{rpms[0].name}: {rpms[0].stat().st_size / 2**20:.1f} MiB ({rpms[0].stat().st_size} bytes)")
    assert "digests OK" in output("rpm", "--checksig", "--nosignature", rpm)
    # The bundler writes it uncompressed; the rebuild compresses it (gzip for --debug, xz for a release).
    assert rpm_query(rpm, "%{PAYLOADCOMPRESSOR}") == "gzip"
    requires = output("rpm", "-qp", "--requires", rpm).splitlines()
    for needed in RPM_REQUIRES:
        assert needed in requires, f"{needed} is not in the .rpm's Requires: {requires}"
    root = tmp_path / "root"
    output("rpm", "--root", str(root), "--initdb")
    output("rpm", "--root", str(root), "--install", "--nodeps", "--noscripts", rpm)
    package = rpm_query(rpm, "%{NAME}")
    output("rpm", "--root", str(root), "--verify", "--nodeps", "--noscripts", package)
    for name in ("gatehouse", "gatehouse-desktop"):
        installed_binary = root / "usr" / "bin" / name
        assert installed_binary.read_bytes() == (ROOT / "target" / "debug" / name).read_bytes(), name
    version = rpm_query(rpm, "%{VERSION}")
    assert output(str(root / "usr" / "bin" / "gatehouse"), "--version").strip() == f"gatehouse {version}"
    check_entry_and_icons(root, output("rpm", "-qlp", "--nosignature", rpm).splitlines())


def rpm_query(rpm: str, query_format: str) -> str:
    return output("rpm", "-qp", "--nosignature", "--qf", query_format, rpm).strip()


def build_deb() -> Path:
    """The .deb of the debug binaries (seconds when they are current)."""
    with timed("scripts/package --debug --bundles deb"):
        subprocess.run([str(ROOT / "scripts" / "package"), "--debug", "--bundles", "deb"], check=True, cwd=ROOT)
    debs = list((ROOT / "target" / "debug" / "bundle" / "deb").glob("*.deb"))
    assert len(debs) == 1, debs
    record(f"{debs[0].name}: {debs[0].stat().st_size / 2**20:.1f} MiB ({debs[0].stat().st_size} bytes)")
    record(f"Depends: {deb_field(debs[0], 'Depends')}")
    return debs[0]


def output(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"
    return result.stdout


def deb_field(deb: Path, name: str) -> str:
    return output("dpkg-deb", "--field", str(deb), name).strip()


@contextmanager
def installed(deb: Path):
    """The package installed system-wide for the block, removed afterwards whatever happens.
    A lock keeps two test runs on one machine from installing over each other."""
    package = deb_field(deb, "Package")
    with open("/tmp/gatehouse-package-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True).stdout
        assert "installed" not in status.split(), f"{package} is already installed here: this test would remove it"
        apt("install", "--no-install-recommends", f"./{deb.name}", cwd=deb.parent)
        try:
            yield package
        finally:
            apt("remove", package)


def apt(*args: str, cwd: Path | None = None):
    """apt-get, waiting a minute for the package database if something else holds it."""
    apt_get = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=60"]
    command = [*SUDO, "env", "DEBIAN_FRONTEND=noninteractive", *apt_get, *args]
    with timed(f"apt-get {args[0]}"):
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"apt-get {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def check_installed_files(package: str):
    files = output("dpkg", "-L", package).splitlines()
    for binary in ("/usr/bin/gatehouse", "/usr/bin/gatehouse-desktop", WEB_EXTENSION):
        assert binary in files and os.access(binary, os.X_OK), binary
    check_entry_and_icons(Path("/"), files)
    check_dependencies(package)


def check_entry_and_icons(root: Path, files: list[str]):
    """A package's files (its list of paths, installed under `root`) hold one desktop entry
    that starts the app with its icon, and that icon at every size."""
    entries = [f for f in files if f.startswith("/usr/share/applications/") and f.endswith(".desktop")]
    assert len(entries) == 1, entries
    entry = (root / entries[0].lstrip("/")).read_text().splitlines()
    assert "Exec=gatehouse-desktop" in entry and "Icon=gatehouse-desktop" in entry, entry
    for size in ICON_SIZES:
        icon = f"/usr/share/icons/hicolor/{size}x{size}/apps/gatehouse-desktop.png"
        assert icon in files, f"no {size}x{size} icon in the package"
        assert png_size(root / icon.lstrip("/")) == (size, size), f"{icon} is {png_size(root / icon.lstrip('/'))}"


def check_dependencies(package: str):
    """The declared dependencies, and every shared library the two binaries link to comes
    from one of them or from what apt installs with them (GTK brings cairo, WebKitGTK
    brings libsoup…)."""
    depends = [d.split()[0] for d in installed_field(package, "Depends").split(", ")]
    assert set(DEPENDS) <= set(depends), depends
    assert len(depends) == len(set(depends)), f"a dependency is listed twice: {depends}"
    closure = output(
        "apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
        "--no-breaks", "--no-replaces", "--no-enhances", *depends,
    ).splitlines()
    installed_with_it = {line for line in closure if not line.startswith(" ")}
    owners = library_owners("/usr/bin/gatehouse", "/usr/bin/gatehouse-desktop")
    missing = {soname: packages for soname, packages in owners.items() if not packages & installed_with_it}
    assert not missing, f"linked but not depended on: {missing}: add them to bundle.linux in tauri.conf.json"


def installed_field(package: str, name: str) -> str:
    return output("dpkg-query", "-W", f"-f=${{{name}}}", package)


def library_owners(*binaries: str) -> dict[str, set[str]]:
    """Each shared library the binaries link to (their ELF NEEDED entries) and the packages
    holding a file of that name: what dpkg-shlibdeps finds, in a second instead of seven."""
    sonames = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", output("readelf", "--dynamic", *binaries)))
    found = output("dpkg", "--search", *(f"*/{soname}" for soname in sonames))
    owners: dict[str, set[str]] = {soname: set() for soname in sonames}
    for line in found.splitlines():  # libdbus-1-3:amd64: /lib/x86_64-linux-gnu/libdbus-1.so.3
        if line.startswith("diversion "):
            continue
        packages, path = line.rsplit(": ", 1)
        owners[Path(path).name] |= {p.split(":")[0] for p in packages.split(", ")}
    return owners


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def run_cli(env: dict[str, str], *args: str, stdin: str = ""):
    """The installed CLI on the default data folder of `env`'s home."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}
    result = subprocess.run(
        ["/usr/bin/gatehouse", *args], input=stdin, capture_output=True, text=True, env=clean | env, timeout=60
    )
    assert result.returncode == 0, f"gatehouse {' '.join(args)} failed: {result.stderr}"


def see_the_sign_in_screen(home: Path, env: dict[str, str]):
    """The installed app, started by WebDriver with no arguments: it finds the administrator
    the CLI created in the same default folder, so it opens on the sign-in form."""
    url, driver_process = start_tauri_driver(home, "tauri-driver.log", env)
    try:
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": "/usr/bin/gatehouse-desktop"})
        driver = webdriver.Remote(url, options=options)
        running = installed_apps()
        try:
            app = App(driver)
            for testid in ("signin-email", "signin-password", "signin-submit"):
                app.find(testid)
            app.shot("package-installed-sign-in")
            # The web view's process loaded the package's extension (it hands back start-up pages).
            web = [pid for app_pid in running for pid, name in children(app_pid) if name.startswith("WebKitWebProc")]
            assert web, "no web process"
            assert all(WEB_EXTENSION in Path(f"/proc/{pid}/maps").read_text() for pid in web), WEB_EXTENSION
        finally:
            driver.quit()
            # Gone before the package is removed and before the next test looks at windows.
            deadline = time.time() + 10
            while not all(exited(pid) for pid in running) and time.time() < deadline:
                time.sleep(0.05)
            for pid in running:
                if not exited(pid):
                    os.kill(pid, signal.SIGKILL)
    finally:
        driver_process.terminate()
        driver_process.wait(timeout=10)


def installed_apps() -> list[int]:
    """The running apps started from the installed package."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().split(b"\0")[0] == b"/usr/bin/gatehouse-desktop":
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@contextmanager
def timed(what: str):
    started = time.monotonic()
    yield
    record(f"{what}: {time.monotonic() - started:.1f} s")


def record(line: str):
    """Package facts for this run, in artifacts/ beside the screenshots (and the test output)."""
    print(line)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a") as out:
        out.write(line + "\n")
