"""Speaks CHUNKING (RFC 3030) on a raw socket, as no Python library does: smtplib only sets up STARTTLS and AUTH,
then the script writes each step's octets as given (pipelined commands and chunks in one write) and reads the
replies the step expects.

usage: bdat.py HOST PORT USER PASSWORD STEPS_FILE
STEPS_FILE: JSON, a list of {"send": base64 octets, "replies": count}.
Prints one JSON line: a list per step of its replies, each "code text" of the reply's last line; a reply that never
came (the server closed the connection) is null.
"""
import base64
import json
import smtplib
import ssl
import sys

host, port, user, password, path = sys.argv[1:6]
with open(path, "rb") as f:
    steps = json.load(f)

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
client = smtplib.SMTP(host, int(port), timeout=30)
client.starttls(context=context)
client.ehlo("python.chunking.test")
if not client.has_extn("chunking"):
    raise SystemExit("CHUNKING is not offered")
client.login(user, password)

result = []
for step in steps:
    client.sock.sendall(base64.b64decode(step["send"]))
    replies = []
    for _ in range(step["replies"]):
        try:
            code, text = client.getreply()
            replies.append(f"{code} {text.decode().splitlines()[-1] if text else ''}".strip())
        except smtplib.SMTPServerDisconnected:
            replies.append(None)
    result.append(replies)
print(json.dumps(result))
client.close()
