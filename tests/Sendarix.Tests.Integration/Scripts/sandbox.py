"""The sandbox's failures on purpose, as Python's smtplib meets them.

usage: sandbox.py greeting HOST PORT
       sandbox.py submit HOST PORT USER PASSWORD FROM TO[,TO...] TIMEOUT_SECONDS MESSAGE_FILE
greeting connects and reports the greeting; submit sends one message (STARTTLS, AUTH) with the given client
time-out. Prints one JSON line: {"stage": "greeting"|"rcpt"|"data"|"disconnected"|"timeout", "code": ..., "text": ...,
"seconds": ...}, the seconds being how long the last step waited.
"""
import json
import re
import smtplib
import socket
import ssl
import sys
import time

if sys.argv[1] == "greeting":
    started = time.monotonic()
    try:
        smtplib.SMTP(sys.argv[2], int(sys.argv[3]), timeout=30).quit()
        result = {"stage": "greeting", "code": 220, "text": ""}
    except smtplib.SMTPConnectError as e:
        result = {"stage": "greeting", "code": e.smtp_code, "text": e.smtp_error.decode()}
    result["seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(result))
    sys.exit(0)

host, port, user, password, sender, rcpts, timeout, path = sys.argv[2:10]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with open(path, "rb") as f:
    message = f.read()

client = smtplib.SMTP(host, int(port), timeout=30)
client.starttls(context=context)
client.ehlo("python.sandbox.test")
client.login(user, password)
client.sock.settimeout(float(timeout))
result = None
started = time.monotonic()
try:
    code, text = client.mail(sender)
    for rcpt in rcpts.split(","):
        started = time.monotonic()
        code, text = client.rcpt(rcpt)
        if code not in (250, 251):
            result = {"stage": "rcpt", "code": code, "text": text.decode()}
            break
    if result is None:
        code, text = client.docmd("DATA")
        started = time.monotonic()
        # The message has CRLF line ends; only its dots need stuffing.
        stuffed = re.sub(rb"(?m)^\.", b"..", message)
        client.send(stuffed + (b"" if stuffed.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        code, text = client.getreply()
        result = {"stage": "data", "code": code, "text": text.decode()}
except (socket.timeout, TimeoutError):
    result = {"stage": "timeout", "code": 0, "text": ""}
except smtplib.SMTPServerDisconnected as e:
    # smtplib reports its own time-out as a lost connection, naming it.
    result = {"stage": "timeout" if "timed out" in str(e) else "disconnected", "code": 0, "text": ""}
result["seconds"] = round(time.monotonic() - started, 3)
print(json.dumps(result))
try:
    client.close()
except OSError:
    pass
