"""A stand-in replica for diagnosis tests and the benchmark: the same small work every 50 ms, and
real faults switched on by files beside FLAG_BASE: FLAG_BASE.cpu (a busy loop), .disk (writes
and fsyncs), .leak (memory allocated and touched, never freed). With ECHO_PORT, it also answers
every UDP datagram on that port with the same bytes (the benchmark's requests). Exits after
LIFETIME seconds. Usage: python3 peer.py FLAG_BASE [LIFETIME [ECHO_PORT]]"""
import hashlib
import os
import socket
import sys
import tempfile
import time

base = sys.argv[1]
deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 300)
data = os.urandom(1 << 16)
leaked = []
echo = None
if len(sys.argv) > 3:
    echo = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    echo.bind(("0.0.0.0", int(sys.argv[3])))
    echo.setblocking(False)


def answer():
    """Answers the datagrams waiting, as a server answers requests between its other work."""
    while echo is not None:
        try:
            data_in, peer = echo.recvfrom(2048)
        except BlockingIOError:
            return
        echo.sendto(data_in, peer)

with tempfile.TemporaryFile(dir=os.path.dirname(base) or ".") as scratch:
    while time.monotonic() < deadline:
        for _ in range(20):
            hashlib.sha256(data).digest()
        if os.path.exists(base + ".leak") and len(leaked) < 4000:
            block = bytearray(1 << 20)
            block[::4096] = b"x" * len(block[::4096])
            leaked.append(block)
        if os.path.exists(base + ".disk"):
            for _ in range(8):
                scratch.write(data)
                scratch.flush()
                os.fsync(scratch.fileno())
            scratch.seek(0)
        if os.path.exists(base + ".cpu"):
            end = time.monotonic() + 0.05
            while time.monotonic() < end:
                hashlib.sha256(data).digest()
        else:
            time.sleep(0.01 if echo is not None else 0.05)
        answer()
