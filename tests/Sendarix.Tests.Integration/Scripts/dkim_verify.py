"""Verifies a message's DKIM signature with dkimpy (Debian's python3-dkim), an implementation nobody here wrote.

usage: dkim_verify.py MESSAGE_FILE RECORD_NAME RECORD_VALUE
The only DNS answer it gets is RECORD_VALUE for RECORD_NAME: the record the relay's API asked the owner to publish.
Prints "pass" or "fail: <reason>".
"""
import sys

import dkim

path, record_name, record_value = sys.argv[1:4]
with open(path, "rb") as f:
    message = f.read()


def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    return record_value.encode() if name.rstrip(".") == record_name else None


class Log:
    def __init__(self):
        self.lines = []

    def debug(self, *args):
        self.lines.append(" ".join(str(a) for a in args))

    info = warning = error = debug


log = Log()
print("pass" if dkim.verify(message, logger=log, dnsfunc=dnsfunc) else "fail: " + " | ".join(log.lines[-3:]))
