#!/usr/bin/env python3
"""Test peers for the Mbed conformance suite, all on loopback.

Runs inetd's internal services (RFC 862 echo, 863 discard, 867 daytime, 864
chargen) on TCP and UDP, stunnel in front of them for TLS (with a test PKI made by
make_test_certs.sh, and servers with bad certificates and hostile TLS peers), starts dnsmasq as the DNS server for the Mbed test host
names, and offers a "silent" DNS port (never answers) and a "slow" one (forwards
to dnsmasq after a delay) for the timeout cases. Prints one JSON line with every
port once all are listening, then runs until its parent process goes away.
"""
import asyncio
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time

# Mbed's DNS test host lists (test_params.h), mapped to loopback addresses.
HOSTS = {
    "google.com": ["127.0.1.1", "127.0.1.2", "fd00::1:1"],
    "youtube.com": ["127.0.1.3"],
    "facebook.com": ["127.0.1.4"],
    "wikipedia.org": ["127.0.1.5"],
    "yahoo.com": ["127.0.1.6", "127.0.1.7"],
    "instagram.com": ["127.0.1.8", "127.0.1.9"],
    "ipv6ready.org": ["127.0.1.10", "fd00::1:10"],
    "wireshark.org": ["127.0.1.11"],
    "bbc.co.uk": ["127.0.1.12"],
    "cnn.com": ["127.0.1.13"],
    "www.flickr.com": ["127.0.1.14", "127.0.1.15"],
    "www.mozilla.org": ["127.0.1.16", "127.0.1.17"],
    "echo.netsock.test": ["127.0.0.1", "::1"],
    "v6only.netsock.test": ["::1"],
}

# Where the peers listen: loopback, or with --listen=ADDRESS the kernel's side of a test
# network (the ip stack's conformance run), which echo.netsock.test then names.
LISTEN = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--listen=")), "127.0.0.1")
HOSTS["echo.netsock.test"] = [LISTEN, "::1"]

CHARGEN_LINE = 72


def chargen_lines(start=0):
    """RFC 864: 72 printable characters per line, the start rotating by one each line."""
    printable = bytes(range(0x20, 0x7F))
    row = start
    while True:
        first = row % len(printable)
        line = (printable[first:] + printable)[:CHARGEN_LINE] if first + CHARGEN_LINE > len(printable) else printable[first:first + CHARGEN_LINE]
        yield line + b"\r\n"
        row += 1


def daytime():
    return (time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime()) + "\r\n").encode()


async def tcp_echo(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def tcp_discard(reader, writer):
    try:
        while await reader.read(65536):
            pass
    except ConnectionError:
        pass
    finally:
        writer.close()


async def tcp_daytime(reader, writer):
    writer.write(daytime())
    await writer.drain()
    writer.close()


async def tcp_chargen(reader, writer):
    lines = chargen_lines()
    try:
        while True:
            writer.write(b"".join(next(lines) for _ in range(64)))
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


class UDPService(asyncio.DatagramProtocol):
    def __init__(self, kind):
        self.kind = kind
        self.lines = chargen_lines()

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, address):
        if self.kind == "echo":
            self.transport.sendto(data, address)
        elif self.kind == "daytime":
            self.transport.sendto(daytime(), address)
        elif self.kind == "chargen":
            self.transport.sendto(b"".join(next(self.lines) for _ in range(4)), address)


class SlowDNS(asyncio.DatagramProtocol):
    """Forwards each query to dnsmasq after a delay, then relays the answer."""

    def __init__(self, upstream, delay):
        self.upstream = upstream
        self.delay = delay

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, address):
        asyncio.get_running_loop().create_task(self.forward(data, address))

    async def forward(self, data, address):
        await asyncio.sleep(self.delay)
        loop = asyncio.get_running_loop()
        upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        upstream.setblocking(False)
        try:
            await loop.sock_sendto(upstream, data, (LISTEN, self.upstream))
            reply = await asyncio.wait_for(loop.sock_recv(upstream, 4096), 5)
            self.transport.sendto(reply, address)
        except (asyncio.TimeoutError, OSError):
            pass
        finally:
            upstream.close()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((LISTEN, 0))
        return probe.getsockname()[1]


# TLS in front of the TCP services, as the Mbed test plan's peers are (ports 2007, 2009,
# 2013, 2019 there), plus the bad certificates of TLS-05 in front of echo.
TLS_SERVICES = {
    "tls_echo": ("echo", "server", None),
    "tls_discard": ("discard", "server", None),
    "tls_daytime": ("daytime", "server", None),
    "tls_chargen": ("chargen", "server", None),
    "tls_expired": ("echo", "expired", None),
    "tls_wrong_host": ("echo", "wrong-host", None),
    "tls_self_signed": ("echo", "self-signed", None),
    "tls_untrusted": ("echo", "untrusted", None),
    "tls_client_auth": ("echo", "server", "ca.pem"),
}


def stunnel_config(directory, name, target_port, cert, client_ca):
    """An inetd-mode stunnel (no `accept`): one connection on stdin/stdout per process."""
    path = os.path.join(directory, f"{name}.conf")
    lines = [
        "foreground = yes", "pid =", "syslog = no", f"output = {os.path.join(directory, name + '.log')}", "debug = 4",
        f"connect = {LISTEN}:{target_port}", f"cert = {os.path.join(directory, cert + '.pem')}",
        f"key = {os.path.join(directory, cert + '.key')}",
    ]
    if client_ca:
        lines += ["verifyChain = yes", f"CAfile = {os.path.join(directory, client_ca)}"]
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")
    return path


async def serve_stunnel(listener, config):
    loop = asyncio.get_running_loop()
    binary = shutil.which("stunnel4") or shutil.which("stunnel") or "/usr/bin/stunnel4"
    while True:
        connection, _ = await loop.sock_accept(listener)
        connection.setblocking(True)
        subprocess.Popen([binary, config], stdin=connection, stdout=connection, stderr=subprocess.DEVNULL, close_fds=True)
        connection.close()


async def tls_garbage(reader, writer):
    """Answers a ClientHello with HTTP, as a misdirected TLS client meets."""
    try:
        await reader.read(4096)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def tls_hangup(reader, writer):
    """Reads the ClientHello, sends half a ServerHello record, and hangs up."""
    try:
        await reader.read(4096)
        writer.write(bytes([0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00]))
        await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def tls_reset(reader, writer):
    """Completes the handshake (Python's ssl, OpenSSL underneath), then resets the connection."""
    try:
        await reader.read(1)
    except (ConnectionError, OSError):
        pass
    raw = writer.get_extra_info("socket")
    if raw is not None:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def start_tls(directory, ports):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_test_certs.sh")
    subprocess.run(["/bin/sh", script, directory], check=True, stdout=subprocess.DEVNULL)
    os.chmod(directory, 0o755)
    for name in os.listdir(directory):
        os.chmod(os.path.join(directory, name), 0o755 if os.path.isdir(os.path.join(directory, name)) else (0o600 if name.endswith(".key") else 0o644))
    loop = asyncio.get_running_loop()
    for name, (service, cert, client_ca) in TLS_SERVICES.items():
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LISTEN, 0))
        listener.listen(64)
        listener.setblocking(False)
        ports[name] = listener.getsockname()[1]
        loop.create_task(serve_stunnel(listener, stunnel_config(directory, name, ports[service], cert, client_ca)))
    for name, handler in {"tls_garbage": tls_garbage, "tls_hangup": tls_hangup}.items():
        server = await asyncio.start_server(handler, LISTEN, 0, reuse_address=True)
        ports[name] = server.sockets[0].getsockname()[1]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(directory, "server.pem"), os.path.join(directory, "server.key"))
    server = await asyncio.start_server(tls_reset, LISTEN, 0, ssl=context, reuse_address=True)
    ports["tls_reset"] = server.sockets[0].getsockname()[1]
    ports["tls_directory"] = directory


def start_dnsmasq(directory):
    binary = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    hosts = os.path.join(directory, "hosts")
    with open(hosts, "w") as file:
        for name, addresses in HOSTS.items():
            for address in addresses:
                file.write(f"{address} {name}\n")
    os.chmod(hosts, 0o644)
    os.chmod(directory, 0o755)
    for _ in range(20):
        port = free_port()
        process = subprocess.Popen(
            [binary, "--keep-in-foreground", "--conf-file=/dev/null", f"--port={port}", f"--listen-address={LISTEN}",
             "--bind-interfaces", "--no-resolv", "--no-hosts", f"--addn-hosts={hosts}", "--local-ttl=60",
             "--local=/#/", "--pid-file=", "--log-facility=-", "--quiet-dhcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2)
        if process.poll() is None:
            return process, port
    raise RuntimeError("dnsmasq would not start")


async def main():
    loop = asyncio.get_running_loop()
    ports = {}
    handlers = {"echo": tcp_echo, "discard": tcp_discard, "daytime": tcp_daytime, "chargen": tcp_chargen}
    for name, handler in handlers.items():
        # The same number on TCP and UDP, as inetd serves them.
        for _ in range(50):
            server = await asyncio.start_server(handler, LISTEN, 0, reuse_address=True)
            port = server.sockets[0].getsockname()[1]
            try:
                await loop.create_datagram_endpoint(lambda kind=name: UDPService(kind), local_addr=(LISTEN, port))
                break
            except OSError:
                server.close()
        ports[name] = port

    directory = tempfile.mkdtemp(prefix="netsock-peers.")
    dnsmasq = None
    if "--no-dns" not in sys.argv:
        dnsmasq, ports["dns"] = start_dnsmasq(directory)
        silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        silent.bind((LISTEN, 0))
        ports["dns_silent"] = silent.getsockname()[1]
        transport, _ = await loop.create_datagram_endpoint(lambda: SlowDNS(ports["dns"], 1.5), local_addr=(LISTEN, 0))
        ports["dns_slow"] = transport.get_extra_info("sockname")[1]

    if "--no-tls" not in sys.argv:
        tls_directory = os.path.join(directory, "tls")
        os.mkdir(tls_directory)
        await start_tls(tls_directory, ports)

    print(json.dumps(ports), flush=True)
    parent = os.getppid()
    try:
        while os.getppid() == parent and (dnsmasq is None or dnsmasq.poll() is None):
            await asyncio.sleep(0.5)
    finally:
        if dnsmasq is not None:
            dnsmasq.terminate()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(main())
