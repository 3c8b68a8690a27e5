#!/usr/bin/env python3
"""Bridge between wirespeed (Node cannot open AF_UNIX SOCK_SEQPACKET) and a DPDK telemetry v2 socket.

argv: SOCKET_PATH [WAIT_MS]. Connects (retrying while the socket does not exist yet, up to WAIT_MS),
prints one JSON line {"banner": {...}} or {"error": {...}} and then answers JSON lines
{"id": N, "cmd": "/ethdev/stats,0"} on stdin with {"id": N, "reply": <server JSON>} on stdout.
Stdin EOF closes the connection and exits 0; a lost connection prints an error line and exits 4.
"""
import errno
import json
import socket
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def fail(code, message, exit_code):
    emit({"error": {"code": code, "message": message}})
    sys.exit(exit_code)


def connect(path, wait_ms):
    deadline = time.monotonic() + wait_ms / 1000.0
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            sock.connect(path)
            return sock
        except OSError as e:
            sock.close()
            # Missing or not yet listening: the DPDK process may still be starting.
            retry = e.errno in (errno.ENOENT, errno.ECONNREFUSED)
            if not retry or time.monotonic() >= deadline:
                fail(errno.errorcode.get(e.errno, str(e.errno)), f"{path}: {e.strerror}", 3)
            time.sleep(0.05)


def main():
    if len(sys.argv) < 2:
        fail("EINVAL", "usage: telemetry-helper.py SOCKET_PATH [WAIT_MS]", 2)
    path = sys.argv[1]
    wait_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    sock = connect(path, wait_ms)
    try:
        banner = json.loads(sock.recv(16384).decode())
    except (OSError, ValueError) as e:
        fail("EPROTO", f"{path}: no telemetry banner ({e})", 4)
    max_len = int(banner.get("max_output_len", 16384))
    emit({"banner": banner})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            req_id, cmd = req["id"], str(req["cmd"])
        except (ValueError, KeyError, TypeError) as e:
            emit({"error": {"code": "EINVAL", "message": f"bad request line: {e}"}})
            continue
        try:
            sock.send(cmd.encode())
            # A reply is one datagram; a buffer smaller than max_output_len would truncate silently.
            data = sock.recv(max(max_len, 16384) * 2)
        except OSError as e:
            emit({"id": req_id, "error": {"code": errno.errorcode.get(e.errno or 0, "EIO"), "message": f"{path}: {e}"}})
            sys.exit(4)
        if not data:
            emit({"id": req_id, "error": {"code": "ECONNRESET", "message": f"{path}: the DPDK process closed the socket"}})
            sys.exit(4)
        try:
            reply = json.loads(data.decode())
        except ValueError as e:
            emit({"id": req_id, "error": {"code": "EPROTO", "message": f"reply is not JSON ({e}): {data[:200]!r}"}})
            continue
        emit({"id": req_id, "reply": reply})
    sock.close()


if __name__ == "__main__":
    main()
