#!/usr/bin/env python3
"""SIP OPTIONS to ADDRESS:PORT every INTERVAL ms for SECONDS s, from BIND; prints the wall-clock
time (ns) of each answer, one a line, on stdout. Bounded in count and time."""
import socket, sys, threading, time

bind, address, port, interval_ms, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((bind, 0))
s.settimeout(0.2)
local = s.getsockname()[1]
end = time.time() + seconds
answers = []

def receive():
    while time.time() < end + 1:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if data.startswith(b"SIP/2.0 200"):
            answers.append(time.time_ns())

t = threading.Thread(target=receive)
t.start()
n = 0
next_at = time.time()
while time.time() < end:
    n += 1
    msg = ("OPTIONS sip:%s:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-p%d\r\nFrom: <sip:probe@%s>;tag=p\r\n"
           "To: <sip:%s>\r\nCall-ID: probe-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
           % (address, port, bind, local, n, bind, address, n)).encode()
    s.sendto(msg, (address, port))
    next_at += interval_ms / 1000
    time.sleep(max(0, next_at - time.time()))
t.join()
for a in answers:
    print(a)
