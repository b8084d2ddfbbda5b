#!/usr/bin/env python3
"""A minimal netsockd client in plain Python: one JSON-RPC request per line.

    python3 netsock_client.py daemon.info
    python3 netsock_client.py events.subscribe '{"topics": ["daemon"]}'   # then prints events
"""
import json
import os
import socket
import sys


def socket_path():
    if os.environ.get("NETSOCKD_SOCKET"):
        return os.environ["NETSOCKD_SOCKET"]
    if os.geteuid() == 0:
        return "/run/netsockd/netsockd.sock"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return f"{runtime}/netsockd.sock" if runtime else f"/tmp/netsockd-{os.geteuid()}.sock"


def main():
    method = sys.argv[1] if len(sys.argv) > 1 else "daemon.info"
    params = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(socket_path())
        stream = sock.makefile("rwb")
        stream.write(json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).encode() + b"\n")
        stream.flush()
        for line in stream:
            message = json.loads(line)
            if message.get("id") == 1:
                if "error" in message:
                    print(json.dumps(message["error"]), file=sys.stderr)
                    sys.exit(1)
                print(json.dumps(message["result"], indent=2))
                if method != "events.subscribe":
                    return
            else:
                print(json.dumps(message["params"]))


if __name__ == "__main__":
    main()
