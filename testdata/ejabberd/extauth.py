#!/usr/bin/python3
"""External authentication program for scansim's ejabberd target.

Implements ejabberd's extauth protocol (docs/ejabberd.md): every request
is a 2-byte big-endian length followed by that many bytes of
"command:arg:arg...", every answer is the 2-byte length 2 followed by a
2-byte result (1 = yes, 0 = no).

Policy, to match Prosody's "insecure" authentication of the scansion
setup: every account exists and the password "password" logs it in.
Nothing can be registered, changed or removed.
"""
import struct
import sys

PASSWORD = "password"


def answer(request):
    parts = request.split(":", 3)
    cmd = parts[0]
    if cmd == "auth" and len(parts) == 4:
        # auth:User:Server:Password (the password may contain ':')
        return parts[3] == PASSWORD
    if cmd == "isuser" and len(parts) >= 3:
        return True
    # setpass, tryregister, removeuser, removeuser3 and anything unknown
    return False


def main():
    rd = sys.stdin.buffer
    wr = sys.stdout.buffer
    while True:
        head = rd.read(2)
        if len(head) < 2:
            return
        (n,) = struct.unpack(">H", head)
        body = rd.read(n)
        if len(body) < n:
            return
        ok = answer(body.decode("utf-8", "replace"))
        wr.write(struct.pack(">HH", 2, 1 if ok else 0))
        wr.flush()


if __name__ == "__main__":
    main()
