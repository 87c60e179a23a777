"""Verifies every DKIM signature of a message with dkimpy (Debian's python3-dkim), an implementation nobody here wrote.

usage: dkim_verify.py MESSAGE_FILE RECORD_NAME RECORD_VALUE [RECORD_NAME RECORD_VALUE ...]
The only DNS answers it gets are these records: the ones the relay's API asked the owner to publish.
Prints "pass" when every signature verifies (Ed25519 ones need python3-nacl), else "fail: <reason>".
"""
import sys

import dkim

path = sys.argv[1]
records = dict(zip(sys.argv[2::2], sys.argv[3::2]))
with open(path, "rb") as f:
    message = f.read()


def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    value = records.get(name.rstrip("."))
    return value.encode() if value is not None else None


class Log:
    def __init__(self):
        self.lines = []

    def debug(self, *args):
        self.lines.append(" ".join(str(a) for a in args))

    info = warning = error = debug


count = sum(1 for line in message.split(b"\r\n") if line.lower().startswith(b"dkim-signature:"))
for idx in range(count):
    log = Log()
    try:
        ok = dkim.DKIM(message, logger=log).verify(idx=idx, dnsfunc=dnsfunc)
    except dkim.DKIMException as e:
        ok = False
        log.lines.append(str(e))
    if not ok:
        print(f"fail: signature {idx}: " + " | ".join(log.lines[-3:]))
        sys.exit(0)
print("pass" if count > 0 else "fail: no signature")
