#!/usr/bin/env python3
"""Streams a file through a netsockd TCP socket over an attached descriptor.

    python3 attach_stream.py [--interface lo] HOST PORT FILE > reply

Opens and connects a TCP socket with JSON-RPC, then calls socket.attach: the reply
brings one end of a socketpair (SCM_RIGHTS), and from then on the payload moves over
it with no JSON at all. The file is written to it (then shutdown(SHUT_WR), which the
daemon turns into the socket's FIN); whatever the peer sends back goes to stdout until
the peer closes. The socket.detached notification that ends the stream goes to stderr.
"""
import argparse
import json
import os
import socket
import sys
import threading


def socket_path():
    if os.environ.get("NETSOCKD_SOCKET"):
        return os.environ["NETSOCKD_SOCKET"]
    if os.geteuid() == 0:
        return "/run/netsockd/netsockd.sock"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return f"{runtime}/netsockd.sock" if runtime else f"/tmp/netsockd-{os.geteuid()}.sock"


class Control:
    """The JSON-RPC connection: one request per line, replies matched by id. A reply
    may carry descriptors with its first byte; recv_fds collects them as they come."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buffer = b""
        self.fds = []
        self.next_id = 1

    def message(self):
        while b"\n" not in self.buffer:
            data, fds, _, _ = socket.recv_fds(self.sock, 65536, 4)
            if not data:
                raise ConnectionError("netsockd closed the connection")
            self.buffer += data
            self.fds += fds
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def call(self, method, **params):
        request_id = self.next_id
        self.next_id += 1
        request = {"jsonrpc": "2.0", "method": method, "params": params, "id": request_id}
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            reply = self.message()
            if reply.get("id") == request_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']['message']} ({reply['error']['code']})")
                return reply["result"]
            print(json.dumps(reply), file=sys.stderr)  # A notification meanwhile.


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interface", help="interface of the socket (default: the default interface)")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("file")
    args = parser.parse_args()

    control = Control(socket_path())
    opened = {"protocol": "tcp"}
    if args.interface:
        opened["interface"] = args.interface
    sock_id = control.call("socket.open", **opened)["socket"]
    control.call("socket.connect", socket=sock_id, address=args.host, port=args.port)
    control.call("socket.attach", socket=sock_id)
    if not control.fds:
        raise RuntimeError("socket.attach answered without a descriptor")
    stream = socket.socket(fileno=control.fds.pop(0))

    def upload():
        with open(args.file, "rb") as source:
            while chunk := source.read(1 << 20):
                stream.sendall(chunk)
        stream.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=upload)
    sender.start()
    out = sys.stdout.buffer
    while chunk := stream.recv(1 << 20):
        out.write(chunk)
    out.flush()
    sender.join()
    stream.close()
    # The end of the stream, as the daemon saw it.
    while True:
        message = control.message()
        if message.get("method") == "socket.detached":
            print(json.dumps(message["params"]), file=sys.stderr)
            break
    control.call("socket.close", socket=sock_id)


if __name__ == "__main__":
    main()
