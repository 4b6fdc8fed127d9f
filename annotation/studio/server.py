"""A local Label Studio server that vner installs, starts and stops for you.

Everything lives under one folder (`.studio/` in the current directory, or `$VNER_STUDIO_HOME`):

    .studio/venv/         Label Studio itself, in its own virtualenv (its pins must not fight vner's)
    .studio/install.log   pip's log of that install
    .studio/template/     a data dir with all migrations applied (the first start on an empty dir takes
                          about 70 s of migrations; a copy of this starts in about 9 s)
    .studio/data/         the data dir of the server `vner studio start` runs (SQLite database, uploads)
    .studio/server.json   pid, port, url, data dir and log of the running server
    .studio/server.log    the server's output
    .studio/token         the API token (40 hex chars, file mode 0600)
    .studio/password      the login password (file mode 0600)

The token and password are generated on first start and never printed; `vner studio start` tells the user
where they are. Only 127.0.0.1 is ever bound. The data dirs (whose SQLite database holds the token) are readable by
their owner only (mode 0700, files 0600; the server runs with umask 077), and the server accepts ML backends on
127.0.0.1 (`vner serve`): its SSRF protection is relaxed for this local, loopback-only server only
(`ML_BLOCK_LOCAL_IP=false`, `SSRF_PROTECTION_ENABLED=false`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import VnerError
from ..progress import progress_bar

log = logging.getLogger(__name__)

LABEL_STUDIO_VERSION = "1.23.2"
DEFAULT_USERNAME = "vner@localhost.local"
HOST = "127.0.0.1"
_INSTALLED_MARKER = ".vner-installed"
_MIGRATED_MARKER = ".vner-migrated"


def studio_home(home: str | Path | None = None) -> Path:
    return Path(home or os.environ.get("VNER_STUDIO_HOME") or ".studio").resolve()


@dataclass
class ServerInfo:
    """What a started server looks like from outside: written to `server.json`."""

    pid: int
    port: int
    url: str
    data_dir: str
    log_file: str
    username: str
    token_file: str
    password_file: str
    started_at: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


# --------------------------------------------------------------------------------------------- install
@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on `path`, so parallel `vner studio` commands and test sessions install once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def venv_dir(home: Path) -> Path:
    return home / "venv"


def label_studio_bin(home: Path) -> Path:
    return venv_dir(home) / "bin" / "label-studio"


def is_installed(home: Path) -> bool:
    marker = venv_dir(home) / _INSTALLED_MARKER
    return marker.exists() and marker.read_text().strip() == LABEL_STUDIO_VERSION


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _run_logged(cmd: list[str], log_file: Path, *, env: dict | None = None, what: str, progress: bool) -> None:
    """Run `cmd` with its output appended to `log_file`; a tqdm bar counts log lines while it runs."""
    with open(log_file, "a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
    bar = progress_bar(enabled=progress, desc=what, unit=" log lines")
    try:
        seen = 0
        while proc.poll() is None:
            time.sleep(0.5)
            with open(log_file, "rb") as fh:
                n = fh.read().count(b"\n")
            bar.update(n - seen)
            seen = n
    except BaseException:
        proc.terminate()
        proc.wait()
        raise
    finally:
        bar.close()
    if proc.returncode != 0:
        raise VnerError(f"{what} failed (exit {proc.returncode}); see {log_file}. Last lines:\n{_tail(log_file)}")


def ensure_installed(home: Path, *, progress: bool = True) -> Path:
    """Install `label-studio==LABEL_STUDIO_VERSION` into `home/venv` unless it is already there."""
    if is_installed(home):
        return label_studio_bin(home)
    with _locked(home / ".install.lock"):
        if is_installed(home):  # another process finished it while we waited
            return label_studio_bin(home)
        venv = venv_dir(home)
        log_file = home / "install.log"
        log_file.write_text("")
        if venv.exists():
            shutil.rmtree(venv)
        log.info(
            "Installing Label Studio %s into %s (one time, about 2 min and 1 GB); log: %s",
            LABEL_STUDIO_VERSION,
            venv,
            log_file,
        )
        base_python = getattr(sys, "_base_executable", None) or sys.executable
        _run_logged([base_python, "-m", "venv", str(venv)], log_file, what="creating the virtualenv", progress=False)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        _run_logged(pip + ["install", "--upgrade", "pip"], log_file, what="upgrading pip", progress=progress)
        _run_logged(
            pip + ["install", f"label-studio=={LABEL_STUDIO_VERSION}"],
            log_file,
            what=f"installing label-studio=={LABEL_STUDIO_VERSION}",
            progress=progress,
        )
        if not label_studio_bin(home).exists():
            raise VnerError(f"Label Studio install finished but {label_studio_bin(home)} is missing; see {log_file}.")
        (venv / _INSTALLED_MARKER).write_text(LABEL_STUDIO_VERSION + "\n")
    return label_studio_bin(home)


# --------------------------------------------------------------------------------------------- data dirs
def _base_env(home: Path, data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_"))}
    private_home = home / "home"
    private_home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(private_home),  # Label Studio writes config under ~; keep it inside .studio
        LABEL_STUDIO_BASE_DATA_DIR=str(data_dir),
        LATEST_VERSION_CHECK="false",
        COLLECT_ANALYTICS="false",
        PYTHONUNBUFFERED="1",
    )
    env.pop("VIRTUAL_ENV", None)
    if env.get("CI", "true").lower() not in ("1", "0", "true", "false", "yes", "no"):
        env.pop("CI")  # Label Studio's settings refuse any other value (an empty CI= stops it at start-up)
    return env


def ensure_template(home: Path, *, progress: bool = True) -> Path:
    """A data dir with every migration applied, made once (about 70 s) and copied for each new data dir."""
    template = home / "template"
    if (template / _MIGRATED_MARKER).exists():
        return template
    ensure_installed(home, progress=progress)
    with _locked(home / ".template.lock"):
        if (template / _MIGRATED_MARKER).exists():
            return template
        tmp = home / f"template.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        log.info("Preparing the Label Studio database (one time, about 70 s of migrations)")
        python = venv_dir(home) / "bin" / "python"
        # manage.py (not `-m label_studio.manage`) puts its own folder on sys.path, as Django settings expect.
        manage = next((venv_dir(home) / "lib").glob("python3*/site-packages/label_studio/manage.py"))
        _run_logged(
            [str(python), str(manage), "migrate", "--noinput"],
            home / "migrate.log",
            env=_base_env(home, tmp),
            what="migrating the Label Studio database",
            progress=progress,
        )
        (tmp / _MIGRATED_MARKER).write_text(LABEL_STUDIO_VERSION + "\n")
        shutil.rmtree(template, ignore_errors=True)
        tmp.rename(template)
    return template


def prepare_data_dir(home: Path, data_dir: Path, *, progress: bool = True) -> Path:
    """`data_dir`, created as a copy of the migrated template when it does not exist yet."""
    if data_dir.exists() and any(data_dir.iterdir()):
        return data_dir
    template = ensure_template(home, progress=progress)
    if data_dir.exists():
        data_dir.rmdir()
    shutil.copytree(template, data_dir)
    (data_dir / _MIGRATED_MARKER).unlink(missing_ok=True)
    return data_dir


def make_private(path: Path) -> None:
    """Owner-only access to a data dir: the folder tree 0700, every file 0600 (its SQLite database holds the API
    token and password hashes)."""
    if not path.exists():
        return
    for root, _dirs, files in os.walk(path):
        os.chmod(root, 0o700)
        for name in files:
            p = Path(root) / name
            if not p.is_symlink():
                os.chmod(p, 0o600)


# --------------------------------------------------------------------------------------------- secrets
def _secret_file(path: Path, make) -> str:
    """Read a secret, creating it (mode 0600, never world-readable even briefly) on first use."""
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)
    return value


def new_token() -> str:
    return secrets.token_hex(20)  # 40 hex chars: the legacy Label Studio token format


def local_token(home: Path) -> str | None:
    """The token of the server vner started under `home`, if any."""
    path = home / "token"
    return path.read_text().strip() or None if path.exists() else None


# --------------------------------------------------------------------------------------------- start / stop
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: an address only this machine reaches."""
    import ipaddress

    host = (host or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return is_loopback_host(urlsplit(url).hostname)
    except ValueError:
        return False


def health(url: str, timeout: float = 2.0) -> bool:
    # a server on this machine is asked directly: a proxy set in the environment must not see the request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if is_loopback_url(url) else None
    try:
        with (opener.open if opener else urllib.request.urlopen)(f"{url}/health", timeout=timeout) as resp:
            return json.loads(resp.read().decode()).get("status") == "UP"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def write_atomic(path: Path, text: str) -> None:
    """`text` into `path` through a temporary file renamed into place: a crash never leaves half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def local_ml_backend_env(url: str) -> dict[str, str]:
    """Settings of the local server only (it binds 127.0.0.1 and nothing else): accept an ML backend on
    127.0.0.1 (`vner serve`; Label Studio refuses loopback backends by default, HTTP 403 "URL resolves to a
    reserved network address"), and tell backends where the server is (the `hostname` of `/setup`)."""
    return {
        "ML_BLOCK_LOCAL_IP": "false",
        "SSRF_PROTECTION_ENABLED": "false",
        "LABEL_STUDIO_HOST": url,
    }


def launch(
    home: Path,
    data_dir: Path,
    *,
    token: str,
    password: str,
    username: str = DEFAULT_USERNAME,
    port: int | None = None,
    log_file: Path,
    timeout: float = 300.0,
    progress: bool = True,
) -> ServerInfo:
    """Start Label Studio on 127.0.0.1:`port` (a free one if None) over `data_dir`; return once /health is UP.

    The user and legacy API token are created from env vars on the first start of a data dir."""
    exe = ensure_installed(home, progress=progress)
    prepare_data_dir(home, data_dir, progress=progress)
    make_private(data_dir)  # data dirs made before this was enforced were 0755/0644
    if port is None:
        port = free_port()
    elif not port_is_free(port):
        # Label Studio would silently move to another port; refuse instead.
        raise VnerError(f"port {port} on {HOST} is busy; pick another with --port, or leave it out to use a free one.")
    env = _base_env(home, data_dir)
    env.update(
        LABEL_STUDIO_USERNAME=username,
        LABEL_STUDIO_PASSWORD=password,
        LABEL_STUDIO_USER_TOKEN=token,
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
    )
    url = f"http://{HOST}:{port}"
    env.update(local_ml_backend_env(url))
    log_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a log left by an older vner was 0644
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [str(exe), "start", "--no-browser", "--internal-host", HOST, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=str(data_dir),
            start_new_session=True,  # own process group: stop() ends all its children
            umask=0o077,  # files the server creates (database journals, uploads, exports) are the owner's only
        )
    info = ServerInfo(
        proc.pid,
        port,
        url,
        str(data_dir),
        str(log_file),
        username,
        str(home / "token"),
        str(home / "password"),
        time.time(),
    )
    deadline = time.monotonic() + timeout
    bar = progress_bar(
        enabled=progress,
        desc=f"starting Label Studio on {url}",
        unit="s",
        mininterval=2,
        bar_format="{desc}: {elapsed}",
    )
    try:
        while True:
            if proc.poll() is not None:
                raise VnerError(
                    f"Label Studio exited (code {proc.returncode}) before it was ready; log {log_file}, "
                    f"last lines:\n{_tail(log_file)}"
                )
            if health(url):
                break
            if time.monotonic() > deadline:
                stop_pid(proc.pid)
                raise VnerError(
                    f"Label Studio did not answer {url}/health within {timeout:.0f} s; log {log_file}, "
                    f"last lines:\n{_tail(log_file)}"
                )
            time.sleep(0.5)
            bar.update(0.5)
    except BaseException:
        if proc.poll() is None:
            stop_pid(proc.pid)
        raise
    finally:
        bar.close()
    return info


def stop_pid(pid: int, *, grace: float = 20.0) -> bool:
    """SIGTERM the server's process group, wait up to `grace` s, then SIGKILL. False if it was not running."""

    def send(sig) -> bool:
        try:
            try:
                os.killpg(pid, sig)  # the server was started in its own session: pgid == pid
            except PermissionError:
                os.kill(pid, sig)
        except ProcessLookupError:
            return False
        except PermissionError:
            raise VnerError(f"not allowed to stop pid {pid} (another user's process); stop it as that user.") from None
        return True

    if not send(signal.SIGTERM):
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:  # reap it when it is our child
                return True
        if not _pid_alive(pid):
            return True
        time.sleep(0.2)
    send(signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    return True


# --------------------------------------------------------------------------------------------- the project's server
def state_file(home: Path) -> Path:
    return home / "server.json"


def read_state(home: Path) -> ServerInfo | None:
    path = state_file(home)
    if not path.exists():
        return None
    try:
        return ServerInfo(**json.loads(path.read_text()))
    except (ValueError, TypeError):
        return None


def _is_studio_process(pid: int, home: Path) -> bool | None:
    """Whether `pid` runs the label-studio of `home`'s install (its script is on the command line: the
    interpreter runs it); None where /proc cannot tell (no /proc)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False if Path("/proc/self").exists() else None
    except OSError:
        return None
    exe = os.fsencode(os.path.realpath(label_studio_bin(home)))
    return any(a and os.path.realpath(a) == exe for a in args)


def running_server(home: Path) -> ServerInfo | None:
    """The server `vner studio start` left running, or None. The record is trusted only while its pid runs this
    install's label-studio (where /proc cannot tell: while its URL answers /health): after a reboot the pid may
    belong to another program, which must never be reported as the server, nor stopped. A stale record is
    removed, with one line saying so."""
    info = read_state(home)
    if info is None:
        return None
    ours = _is_studio_process(info.pid, home) if _pid_alive(info.pid) else False
    if ours is None:
        ours = health(info.url)
    if ours:
        return info
    log.warning(
        "%s: stale record of a Label Studio at %s (pid %d no longer runs it); removed it",
        state_file(home),
        info.url,
        info.pid,
    )
    state_file(home).unlink(missing_ok=True)
    return None


def start(home: str | Path | None = None, *, port: int | None = None, progress: bool = True) -> tuple[ServerInfo, bool]:
    """Start the project's server (data in `home/data`) unless it already runs. Returns (info, started_now)."""
    home = studio_home(home)
    home.mkdir(parents=True, exist_ok=True)
    current = running_server(home)
    if current is not None:
        if port is not None and port != current.port:
            raise VnerError(
                f"Label Studio already runs on {current.url} (pid {current.pid}); `vner studio stop` first."
            )
        return current, False
    token = _secret_file(home / "token", new_token)
    password = _secret_file(home / "password", lambda: secrets.token_urlsafe(12))
    info = launch(
        home, home / "data", token=token, password=password, port=port, log_file=home / "server.log", progress=progress
    )
    write_atomic(state_file(home), info.to_json() + "\n")
    return info, True


def stop(home: str | Path | None = None) -> ServerInfo | None:
    """Stop the project's server; returns what was stopped (None if nothing ran)."""
    home = studio_home(home)
    info = running_server(home)
    if info is not None:
        stop_pid(info.pid)
    state_file(home).unlink(missing_ok=True)
    return info
