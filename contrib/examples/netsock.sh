#!/bin/sh
# netsockd from the shell: socat for the stream mode, curl for the HTTP mode.
SOCK=${NETSOCKD_SOCKET:-/run/netsockd/netsockd.sock}

# Stream mode: one JSON text per line in, one per line out.
echo '{"jsonrpc":"2.0","method":"daemon.info","id":1}' | socat - UNIX-CONNECT:"$SOCK"

# HTTP mode: POST the message; notifications get 204.
curl -s --unix-socket "$SOCK" -d '{"jsonrpc":"2.0","method":"daemon.whoami","id":2}' http://localhost/

# Watch events until interrupted.
printf '%s\n' '{"jsonrpc":"2.0","method":"events.subscribe","params":{"topics":["interface","daemon"]},"id":3}' |
    socat -t 1000000 - UNIX-CONNECT:"$SOCK"
