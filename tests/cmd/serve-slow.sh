#!/bin/sh
# serve: clients that are slow on purpose cannot stop it, and a malformed
# Content-Length gets one well-formed answer.  With --read-timeout-s 1:
# headers trickled a line at a time (on a new connection and on a kept-
# alive one) and a body trickled a byte at a time are cut off within the
# deadline, not kept alive by each byte; 60 slow connections that reconnect
# when cut off, with --max-connections 40, leave every good request
# answered (the headroom); the 31st connection of one address gets 429
# (--max-client-connections 30).  Slow clients come from 127.0.0.2-6,
# which reach a server on 127.0.0.1 as other client addresses.
. "$srcdir/tests/cmd/serve-lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }
start_server w --read-timeout-s 1 --max-connections 40 --max-client-connections 30
python3 - "$PORT" <<'EOF' || fail=1
import socket, sys, time, threading
port = int(sys.argv[1])
fails = []
def failed(msg): fails.append(msg); print("FAIL", msg)

def conn(src="127.0.0.1"):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s

def read_all(s, limit=5.0):
    s.settimeout(limit); d = b""
    try:
        while True:
            x = s.recv(65536)
            if not x: break
            d += x
    except OSError: pass
    return d

# a malformed Content-Length: one status line, our JSON, then the close
pred = b"POST /v1/models/w:predict HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n"
for cl, want in ((b"-5", b'400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 87\r\nConnection: close\r\n\r\n{"error":"malformed Content-Length \'-5\' (a number of bytes)","field":"Content-Length"}\n'),
                 (b"99999999999999999999999", b'413 Content Too Large\r\nContent-Type: application/json\r\nContent-Length: 87\r\nConnection: close\r\n\r\n{"error":"the request body is larger than 16777216 bytes (--max-body)","field":"body"}\n')):
    s = conn(); s.sendall(pred % cl); d = read_all(s); s.close()
    if d.count(b"HTTP/1.1") != 1 or d != b"HTTP/1.1 " + want:
        failed("Content-Length %s: %r" % (cl.decode(), d))

def trickle(s, first, line, what, want=None):
    t = time.time(); s.sendall(first); s.settimeout(0.2); d = b""
    while time.time() - t < 4:
        try:
            x = s.recv(4096)
            if not x: break
            d += x
        except socket.timeout: pass
        except OSError: break
        try: s.sendall(line)
        except OSError: break
    el = time.time() - t
    s.close()
    if el > 2.5: failed("%s: still open after %.1f s" % (what, el))
    if want is not None and not d.startswith(want): failed("%s: answered %r" % (what, d))

trickle(conn(), b"POST /v1/models/w:predict HTTP/1.1\r\nHost: x\r\n", b"X-A: b\r\n", "trickled headers",
        b"HTTP/1.1 408 Request Timeout\r\n")
s = conn(); s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"); s.settimeout(5)
if not s.recv(4096).startswith(b"HTTP/1.1 200"): failed("keep-alive: first request")
trickle(s, b"GET /ping HTTP/1.1\r\n", b"X-A: b\r\n", "trickled headers after a kept-alive request")
trickle(conn(), pred % b"1000", b"{", "trickled body")

# a crowd of slow connections that reconnect as soon as they are cut off
stop = time.time() + 5
def slow(src):
    while time.time() < stop:
        try:
            s = conn(src); s.sendall(b"POST /v1/models/w:predict HTTP/1.1\r\nHost: x\r\n"); s.settimeout(0.3)
            while time.time() < stop:
                try:
                    if not s.recv(4096): break
                except socket.timeout: s.sendall(b"X-A: b\r\n")
            s.close()
        except OSError: time.sleep(0.05)
threads = [threading.Thread(target=slow, args=("127.0.0.%d" % (2 + i % 3),)) for i in range(60)]
for t in threads: t.start()
time.sleep(1.5)
body = b'{"instances":[{"is_male":"True","mother_age":30,"plurality":"Single(1)","gestation_weeks":39}]}'
good = 0
for i in range(20):
    try:
        s = conn(); s.sendall(b"POST /v1/models/w:predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        if read_all(s, 3).startswith(b"HTTP/1.1 200"): good += 1
        s.close()
    except OSError: pass
    time.sleep(0.1)
for t in threads: t.join()
if good != 20: failed("good requests among 60 slow connections: %d of 20 answered" % good)

# one address holds at most 30 connections (once the crowd's last ones
# have passed their deadline)
time.sleep(1.5)
held = [conn("127.0.0.6") for _ in range(30)]
time.sleep(0.2)
s = conn("127.0.0.6"); d = read_all(s, 3); s.close()
if not d.startswith(b"HTTP/1.1 429 Too Many Requests\r\n") or b"--max-client-connections" not in d:
    failed("31st connection of an address: %r" % d)
s = conn(); s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
if not read_all(s, 3).startswith(b"HTTP/1.1 200"): failed("another address beside a capped one")
for h in held: h.close()
sys.exit(1 if fails else 0)
EOF
req GET /ping
[ "$CODE" = 200 ] || failed "after the slow clients: $CODE $BODY"
exit $fail
