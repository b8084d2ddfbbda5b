#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (Tests/Fuzz/Corpus/<target>/).

Run once and commit the result; `make fuzz` and `make test` start from these. The
netlink seeds are captured from this machine's kernel (link, address and route dumps);
the DNS seeds include a reply captured from dnsmasq when it is installed.
"""
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    directory = os.path.join(ROOT, target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def rpc(method, params=None, id=1):
    message = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    if id is not None:
        message["id"] = id
    return json.dumps(message, separators=(",", ":"))


REQUESTS = [
    rpc("daemon.info"),
    rpc("socket.open", {"protocol": "tcp", "interface": "lo"}, 2),
    rpc("socket.send", {"socket": 1, "data": "aGVsbG8="}, 3),
    rpc("socket.recv", {"socket": 1, "size": 100, "encoding": "hex"}, "x"),
    rpc("events.subscribe", {"topics": ["interface", "daemon"], "since": 0}, 5),
    rpc("dns.gethostbyname", {"name": "echo.netsock.test", "version": "ipv4"}, None),
    json.dumps([json.loads(rpc("daemon.info", id=1)), json.loads(rpc("daemon.whoami", id=2))]),
    '{"jsonrpc":"2.0","method":"x","params":{"s":"a\\"b\\\\c\\u00e9\\ud83d\\ude00"},"id":null}',
]


def framer():
    # The control stream as clients write it: NDJSON, back to back, pretty, with junk.
    write("framer", "\n".join(REQUESTS) + "\n")
    write("framer", "".join(REQUESTS))
    write("framer", json.dumps(json.loads(REQUESTS[4]), indent=2) + "\n" + REQUESTS[0])
    write("framer", "   \n\t" + REQUESTS[1] + " 1 2 \"str\" true null " + REQUESTS[0])
    write("framer", "[" * 40 + "]" * 40 + "\n" + REQUESTS[0])
    write("framer", "{\"a\":\"" + "x" * 5000 + "\"}\n" + REQUESTS[0])
    write("framer", "}}}]]]" + REQUESTS[2])
    write("framer", "{\"unterminated\": \"string")


def http():
    body = REQUESTS[0]
    curl = ("POST / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    write("http", curl)
    write("http", curl + curl.replace("Host: localhost", "Host: x\r\nConnection: close"))
    chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    for index in range(0, len(body), 7):
        piece = body[index:index + 7]
        chunked += "%x;ext=1\r\n%s\r\n" % (len(piece), piece)
    write("http", chunked + "0\r\nX-Trailer: v\r\n\r\n")
    write("http", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    write("http", "\r\n\r\nPOST / HTTP/1.0\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}")
    write("http", "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    write("http", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
    write("http", "POST / HTTP/2.0\r\nHost: x\r\n\r\n")
    write("http", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + "1\r\n \r\n" * 200 + "0\r\n\r\n")


def json_seeds():
    for request in REQUESTS:
        write("json", request)
    write("json", '{"n":[0,-1,1.5,-2.5e-3,1e308,9223372036854775807,-9223372036854775808],"b":[true,false,null]}')
    write("json", '"\\u0000 nul and \\t tab"')
    write("json", "[" * 100 + "]" * 100)
    write("json", '{"a":1,"a":2}')
    write("json", "{" + ",".join('"k%d":%d' % (i, i) for i in range(200)) + "}")
    write("json", "\xc3\x28 invalid utf-8")
    write("json", "123")


def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns():
    query = struct.pack(">HHHHHH", 0xBEEF, 0x0100, 1, 0, 0, 0) + dns_name("echo.netsock.test") + struct.pack(">HH", 1, 1)
    write("dns", query)
    write("dns", struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + dns_name("a.example.org") + struct.pack(">HH", 28, 1))
    # A response with a CNAME chain and compression, as dnsmasq sends it.
    answer = (struct.pack(">HHHHHH", 0x1234, 0x8180, 1, 2, 0, 0) + dns_name("example.com") + struct.pack(">HH", 1, 1)
              + b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, 6) + b"\x03www\xc0\x0c"
              + b"\x03www\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 10]))
    write("dns", answer)
    write("dns", struct.pack(">HHHHHH", 1, 0x8183, 1, 0, 0, 0) + dns_name("missing.test") + struct.pack(">HH", 1, 1))
    loop = struct.pack(">HHHHHH", 2, 0x8180, 1, 1, 0, 0) + b"\xc0\x0c" + struct.pack(">HH", 1, 1)
    write("dns", loop)
    captured = capture_dnsmasq(query)
    if captured:
        write("dns", captured)


def capture_dnsmasq(query):
    binary = "/usr/sbin/dnsmasq"
    if not os.path.exists(binary):
        return None
    with tempfile.TemporaryDirectory() as directory:
        hosts = os.path.join(directory, "hosts")
        with open(hosts, "w") as f:
            f.write("192.0.2.7 echo.netsock.test\n2001:db8::7 echo.netsock.test\n")
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        process = subprocess.Popen([binary, "-k", "--no-resolv", "--no-hosts", "-H", hosts, "-p", str(port),
                                    "--listen-address=127.0.0.1", "--bind-interfaces", "--conf-file=/dev/null", "--user=root"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            client.settimeout(0.5)
            for _ in range(20):
                try:
                    client.sendto(query, ("127.0.0.1", port))
                    return client.recv(4096)
                except OSError:
                    time.sleep(0.1)
        finally:
            process.terminate()
            process.wait()
    return None


def netlink():
    # Real dumps from this kernel: links, addresses and routes, each reply as the kernel sent it.
    for kind, body in ((18, b"\0" * 16), (22, b"\0" * 8), (26, b"\0" * 12)):
        fd = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        fd.bind((0, 0))
        header = struct.pack("=IHHII", 16 + len(body), kind, 0x301, 1, 0)
        fd.send(header + body)
        while True:
            data = fd.recv(65536)
            write("netlink", data)
            if struct.unpack_from("=H", data, 4)[0] == 3 or len(data) < 16:
                break
        fd.close()
    write("netlink", struct.pack("=IHHII", 36, 2, 0, 9, 0) + struct.pack("=i", -22) + b"\0" * 16)
    write("netlink", struct.pack("=IHHII", 0xFFFFFFFF, 16, 0, 1, 0) + b"\0" * 16)


def config():
    example = os.path.join(os.path.dirname(ROOT), "..", "..", "etc", "netsockd.json")
    with open(example, "rb") as f:
        write("config", f.read())
    write("config", "{}")
    write("config", '{"control": {"admin_group": null, "max_pending_requests": 10}}')
    write("config", '{"interfaces": {}, "dns": {"servers": ["[::1]:5353", "192.0.2.53"], "max_async_total": 4}}')
    write("config", '{"default_interface": "x", "interfaces": {"x": {"type": "ethernet", "device": "eth0", "connect_timeout_ms": 500}}}')


if __name__ == "__main__":
    framer()
    http()
    json_seeds()
    dns()
    netlink()
    config()
    for target in sorted(os.listdir(ROOT)):
        print(target, len(os.listdir(os.path.join(ROOT, target))), "seeds", file=sys.stderr)
