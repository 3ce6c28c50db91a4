"""The classroom: the teacher's token, and how students join (LAN address, QR code).

Teacher mode is unlocked by a token: ``EXPLORER_TEACHER_TOKEN`` when set, else a random one
made once per server process, which the app prints at start. Tokens are compared in
constant time (``hmac.compare_digest``), so a student cannot guess one character at a time
from response times.

Students join by the laptop's LAN address. It is read from the machine's own interfaces;
nothing here sends a packet (no DNS lookup, no "what is my IP" service). The QR code is made
locally by ``segno`` (pure Python).

No Streamlit here: the pages call this module.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import ipaddress
import os
import re
import secrets
import socket
import struct
import sys
import threading

TOKEN_VARIABLE = "EXPLORER_TEACHER_TOKEN"
# Behind a proxy (deploy/), students join through the proxy, not the replica's own port:
PUBLIC_PORT_VARIABLE = "EXPLORER_PUBLIC_PORT"  # the proxy's port, on this machine's LAN address
PUBLIC_URL_VARIABLE = "EXPLORER_PUBLIC_URL"  # the whole address (containers cannot see the LAN's)
TOKEN_BYTES = 18  # secrets.token_urlsafe: 24 characters, 144 bits
QR_ERROR = "m"  # recovers ~15% damage: fine on a projector, smaller than "q" or "h"
QR_SCALE = 10  # pixels per module in the PNG
QR_BORDER = 4  # modules of quiet zone, the QR standard's minimum
# Virtual interfaces (containers, VMs, VPNs) whose addresses students cannot reach: listed last.
VIRTUAL_INTERFACES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "wg", "zt")
SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")

_generated_token: str | None = None
_token_lock = threading.Lock()


# -- Teacher token --------------------------------------------------------------------------------

def teacher_token() -> str:
    """The token that unlocks teacher mode: ``EXPLORER_TEACHER_TOKEN``, else one random token
    for the life of this server process."""
    global _generated_token
    configured = _configured_token()
    if configured:
        return configured
    with _token_lock:  # Streamlit sessions run in threads: make exactly one token
        if _generated_token is None:
            _generated_token = secrets.token_urlsafe(TOKEN_BYTES)
        return _generated_token


def token_was_generated() -> bool:
    """True when the token is a random one the app must print (no ``EXPLORER_TEACHER_TOKEN``)."""
    return not _configured_token()


def _configured_token() -> str:
    return os.environ.get(TOKEN_VARIABLE, "").strip()


def is_teacher(candidate) -> bool:
    """Whether ``candidate`` (from the URL or a text box: anything) is the teacher's token."""
    if not isinstance(candidate, str) or not candidate:
        return False
    # Bytes, so that non-ASCII input compares (compare_digest refuses non-ASCII str) and still
    # in constant time for a given length.
    given = candidate.strip().encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given, teacher_token().encode("utf-8"))


# -- Joining --------------------------------------------------------------------------------------

def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that other machines in the room can use, best first
    (private addresses on real interfaces); [] when there is none. Sends nothing."""
    found: list[tuple[str, str]] = []  # (interface or "", address)
    found += _interface_addresses()
    found += [("", a) for a in _routed_address()]
    found += [("", a) for a in _hostname_addresses()]
    usable: dict[str, str] = {}
    for interface, address in found:
        if _usable(address) and address not in usable:
            usable[address] = interface

    def rank(address: str) -> tuple[int, int]:
        virtual = usable[address].startswith(VIRTUAL_INTERFACES)
        return (virtual, not ipaddress.IPv4Address(address).is_private)

    return sorted(usable, key=rank)  # sorted() is stable: discovery order within a rank


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_multicast or ip.is_reserved)


def _interface_addresses() -> list[tuple[str, str]]:
    """Each network interface's IPv4 address, read from the kernel (Linux); [] elsewhere."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl  # POSIX only

    found = []
    try:
        interfaces = socket.if_nameindex()
    except OSError:
        return []
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as probe:
        for _, name in interfaces:
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except OSError:  # no IPv4 address on this interface
                continue
            found.append((name, socket.inet_ntoa(reply[20:24])))
    return found


def _routed_address() -> list[str]:
    """The address the kernel would use towards a private network. ``connect`` on a UDP socket
    only chooses a route: no packet is sent."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            return [probe.getsockname()[0]]
        except OSError:  # no route: no network at all
            return []


def _hostname_addresses() -> list[str]:
    """The host name's addresses (macOS, Windows: no interface list in the standard library).
    Skipped on Linux, where the kernel's list is complete and a resolver could send a query."""
    if sys.platform.startswith("linux"):
        return []  # _interface_addresses() is complete there, and a resolver could send a DNS query
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return []
    return [info[4][0] for info in infos]


def join_url(port: int, address: str, path: str = "") -> str:
    """The address students type or scan, e.g. ``http://192.168.1.20:8501/``."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"not a port: {port!r}")
    if not isinstance(address, str):  # ip_address() would turn an int into an address
        raise ValueError(f"not an address: {address!r}")
    try:
        host = ipaddress.ip_address(address)
        host_text = f"[{host}]" if host.version == 6 else str(host)
    except ValueError:
        if not HOSTNAME.fullmatch(address):
            raise ValueError(f"not an address: {address!r}") from None
        host_text = address
    return f"http://{host_text}:{port}/{path.lstrip('/')}"


def public_port() -> int | None:
    """The port students join on when a proxy is in front of this server (``EXPLORER_PUBLIC_PORT``,
    set by ``python -m deploy``); None when unset or not a port."""
    value = os.environ.get(PUBLIC_PORT_VARIABLE, "").strip()
    return int(value) if value.isdigit() and 1 <= int(value) <= 65535 else None


def public_url() -> str | None:
    """The address students join, as configured (``EXPLORER_PUBLIC_URL``, e.g. a school server's
    name behind compose.yaml's nginx); None when unset or not a plain http(s) address."""
    from urllib.parse import urlsplit

    value = os.environ.get(PUBLIC_URL_VARIABLE, "").strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a port that is not one)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    if any(c.isspace() or ord(c) < 32 for c in value):
        return None
    return value


# -- QR code --------------------------------------------------------------------------------------

def qr_code(url: str):
    """The ``segno`` QR code of ``url`` (a regular QR code, never a Micro QR)."""
    import segno

    return segno.make(url, error=QR_ERROR, micro=False, boost_error=False)


def qr_png(url: str, scale: int = QR_SCALE, border: int = QR_BORDER) -> bytes:
    """A black-on-white PNG of the QR code of ``url``, ``scale`` pixels per module."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=border, dark="black", light="white")
    return out.getvalue()


def qr_svg(url: str, scale: int = QR_SCALE, border: int = QR_BORDER) -> str:
    """The QR code of ``url`` as an SVG document (scales to any projector without blur)."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", scale=scale, border=border, dark="black", light="white",
                      xmldecl=False, svgns=True)
    return out.getvalue().decode("utf-8")
