#!/usr/bin/env python3
"""Relay between wirespeed and pktgen's Lua socket, run on the generator node next to pktgen (in its
network namespace): the socket listens on the node's loopback only, and this relay's stdin/stdout
travel over whatever runs it (a local pipe, or the SSH channel to the generator node: the tunnel).

argv: HOST PORT WAIT_MS. Connects (retrying while pktgen is still starting, up to WAIT_MS), prints
"@@WSP-RELAY connected" on stdout, then copies stdin to the socket and the socket to stdout, bytes as
they come. Stdin EOF half-closes the socket; the socket closing ends the relay (exit 0). A failed
connect prints "@@WSP-RELAY error <reason>" and exits 3.
"""
import errno
import os
import select
import socket
import sys
import time


def say(line):
    os.write(1, (line + "\n").encode())


def connect(host, port, wait_ms):
    deadline = time.monotonic() + wait_ms / 1000.0
    while True:
        try:
            return socket.create_connection((host, port), timeout=2)
        except OSError as e:
            # Refused or not reachable yet: pktgen brings up EAL and its ports before it listens.
            if e.errno not in (errno.ECONNREFUSED, errno.ECONNRESET, errno.EAGAIN) or time.monotonic() >= deadline:
                say("@@WSP-RELAY error %s:%d: %s" % (host, port, e.strerror or str(e)))
                sys.exit(3)
            time.sleep(0.1)


def main():
    if len(sys.argv) != 4:
        say("@@WSP-RELAY error usage: lua-relay.py HOST PORT WAIT_MS")
        sys.exit(2)
    sock = connect(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    sock.settimeout(None)
    say("@@WSP-RELAY connected")
    inputs = [0, sock]
    while True:
        ready, _, _ = select.select(inputs, [], [])
        if 0 in ready:
            data = os.read(0, 65536)
            if data:
                sock.sendall(data)
            else:
                inputs.remove(0)
                sock.shutdown(socket.SHUT_WR)
        if sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            os.write(1, data)


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, ConnectionResetError):
        sys.exit(0)
