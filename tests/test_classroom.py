"""The classroom helpers: the teacher's token (checked in constant time), the LAN address
students join by, and its QR code."""

from __future__ import annotations

import io
import ipaddress
import threading
import xml.etree.ElementTree as ElementTree

import pytest
import segno
from PIL import Image

from data import classroom


@pytest.fixture
def token(monkeypatch) -> str:
    monkeypatch.setenv(classroom.TOKEN_VARIABLE, "  correct-horse-battery  ")
    return "correct-horse-battery"


@pytest.fixture
def no_configured_token(monkeypatch):
    monkeypatch.delenv(classroom.TOKEN_VARIABLE, raising=False)
    monkeypatch.setattr(classroom, "_generated_token", None)


def test_the_token_from_the_environment_unlocks_teacher_mode(token):
    assert classroom.teacher_token() == token and not classroom.token_was_generated()
    assert classroom.is_teacher(token) and classroom.is_teacher(f" {token}\n")


@pytest.mark.parametrize("wrong", [None, "", "correct-horse", "correct-horse-battery!", "CORRECT-HORSE-BATTERY",
                                   "ïñtérnàtiønal", "\ud800", 12345, b"correct-horse-battery",
                                   ["correct-horse-battery"], {"token": 1}])
def test_anything_else_does_not(token, wrong):
    assert classroom.is_teacher(wrong) is False


def test_without_the_variable_one_random_token_per_process(no_configured_token):
    tokens = set()
    threads = [threading.Thread(target=lambda: tokens.add(classroom.teacher_token())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens) == 1 and classroom.token_was_generated()
    token = tokens.pop()
    assert len(token) >= 24 and classroom.is_teacher(token) and not classroom.is_teacher(token[:-1])


def test_a_blank_variable_does_not_make_an_empty_token(monkeypatch, no_configured_token):
    monkeypatch.setenv(classroom.TOKEN_VARIABLE, "   ")
    assert classroom.token_was_generated() and len(classroom.teacher_token()) >= 24
    assert not classroom.is_teacher("") and not classroom.is_teacher("   ")


def test_the_comparison_is_constant_time(token, monkeypatch):
    calls = []
    real = classroom.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(classroom.hmac, "compare_digest", spy)
    assert classroom.is_teacher(token) and not classroom.is_teacher("guess")
    assert calls == [(token.encode(), token.encode()), (b"guess", token.encode())]


# -- Joining --------------------------------------------------------------------------------------

def test_lan_addresses_are_ipv4_and_never_loopback():
    addresses = classroom.lan_addresses()
    assert isinstance(addresses, list) and len(addresses) == len(set(addresses))
    for address in addresses:
        ip = ipaddress.IPv4Address(address)
        assert not ip.is_loopback and not ip.is_unspecified and not ip.is_link_local


def test_lan_addresses_rank_real_private_interfaces_first_and_can_be_empty(monkeypatch):
    monkeypatch.setattr(classroom, "_interface_addresses", lambda: [
        ("lo", "127.0.0.1"), ("docker0", "172.17.0.1"), ("wlan0", "192.168.1.23"), ("eth1", "169.254.3.4")])
    monkeypatch.setattr(classroom, "_routed_address", lambda: ["192.168.1.23"])
    monkeypatch.setattr(classroom, "_hostname_addresses", lambda: ["127.0.1.1"])
    assert classroom.lan_addresses() == ["192.168.1.23", "172.17.0.1"]
    monkeypatch.setattr(classroom, "_interface_addresses", lambda: [("lo", "127.0.0.1")])
    monkeypatch.setattr(classroom, "_routed_address", lambda: [])
    assert classroom.lan_addresses() == []


def test_lan_addresses_send_nothing(monkeypatch):
    """No DNS lookup and no packet: every way of sending fails the test if used."""
    def refuse(*args, **kwargs):
        raise AssertionError("lan_addresses() tried to send or resolve something")

    for name in ("send", "sendto", "sendall", "sendmsg"):
        monkeypatch.setattr(classroom.socket.socket, name, refuse, raising=False)
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "getfqdn", "create_connection"):
        if classroom.sys.platform.startswith("linux"):
            monkeypatch.setattr(classroom.socket, name, refuse)
    classroom.lan_addresses()


def test_join_url():
    assert classroom.join_url(8501, "192.168.1.23") == "http://192.168.1.23:8501/"
    assert classroom.join_url(8501, "fe80::1", "board") == "http://[fe80::1]:8501/board"
    assert classroom.join_url(80, "teacher-laptop.local") == "http://teacher-laptop.local:80/"
    for port, address in [(0, "10.0.0.1"), (70000, "10.0.0.1"), ("8501", "10.0.0.1"), (True, "10.0.0.1"),
                          (8501, "evil.com/@x"), (8501, "a b"), (8501, ""), (8501, 167772161), (8501, None)]:
        with pytest.raises(ValueError):
            classroom.join_url(port, address)


# -- QR code --------------------------------------------------------------------------------------

def modules_of(png: bytes, scale: int, border: int) -> list[list[bool]]:
    """The dark/light modules read back from the PNG, one sample in the middle of each."""
    image = Image.open(io.BytesIO(png)).convert("L")
    side = image.width // scale
    return [[image.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128
             for x in range(border, side - border)] for y in range(border, side - border)]


URL = "http://192.168.1.23:8501/"


def test_the_qr_png_is_the_qr_code_of_the_url():
    png = classroom.qr_png(URL, scale=6, border=4)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == image.height
    symbol = segno.make(URL, error=classroom.QR_ERROR, micro=False, boost_error=False)
    width = symbol.symbol_size(scale=1, border=0)[0]
    assert image.width == (width + 2 * 4) * 6
    assert not symbol.is_micro and symbol.version >= 2 and symbol.mode == "byte" and symbol.error == "M"
    assert modules_of(png, 6, 4) == [[bool(v) for v in row] for row in symbol.matrix]
    other = classroom.qr_png("http://192.168.1.24:8501/", scale=6, border=4)
    assert modules_of(other, 6, 4) != modules_of(png, 6, 4)  # another address, another code
    corner = [row[:7] for row in modules_of(png, 6, 4)[:7]]  # a finder pattern: the code reads as QR
    assert corner[0] == [True] * 7 and corner[1] == [True] + [False] * 5 + [True]


def test_the_qr_svg_is_an_svg_of_the_same_size():
    svg = classroom.qr_svg(URL, scale=10, border=4)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    size = Image.open(io.BytesIO(classroom.qr_png(URL, scale=10, border=4))).width
    assert int(root.get("width")) == int(root.get("height")) == size
