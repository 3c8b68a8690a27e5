#!/usr/bin/env python3
"""A fake DPDK telemetry v2 server for tests: the real wire protocol (AF_UNIX SOCK_SEQPACKET, banner on
connect, one request per datagram, one compact JSON reply per datagram), canned replies.

argv: SOCKET_PATH REPLIES_JSON. REPLIES_JSON maps a request ("/ethdev/stats,0") to the reply's data;
anything else is answered like the real server does for unknown commands: {"<cmd>":null}.
The special request "/test/close" makes the server drop the connection (a process that died).
"""
import json
import os
import socket
import sys
import threading

path, replies_file = sys.argv[1], sys.argv[2]
with open(replies_file) as f:
    replies = json.load(f)
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
srv.bind(path)
srv.listen(10)
print("listening", flush=True)


def serve(conn):
    conn.send(json.dumps({"version": "DPDK 22.11.11", "pid": os.getpid(), "max_output_len": 16384},
                         separators=(",", ":")).encode())
    while True:
        data = conn.recv(1024)
        if not data:
            break
        req = data.decode()
        if req == "/test/close":
            break
        cmd = req.split(",", 1)[0]
        conn.send(json.dumps({cmd: replies.get(req)}, separators=(",", ":")).encode())
    conn.close()


try:
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
except KeyboardInterrupt:
    pass
finally:
    os.unlink(path)
