"""Submits one message with Python's smtplib, as a client outside .NET would: STARTTLS (or implicit TLS) and AUTH.

usage: submit.py HOST PORT starttls|tls USER PASSWORD FROM TO[,TO...] MESSAGE_FILE
Prints one JSON line: {"code": ..., "text": ...} for the reply to the end of DATA, or for the first refusal.
"""
import json
import smtplib
import ssl
import sys

host, port, mode, user, password, sender, rcpts, path = sys.argv[1:9]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with open(path, "rb") as f:
    message = f.read()

if mode == "tls":
    client = smtplib.SMTP_SSL(host, int(port), context=context, timeout=30)
else:
    client = smtplib.SMTP(host, int(port), timeout=30)
    client.starttls(context=context)
try:
    client.ehlo("python.client.test")
    client.login(user, password)
    code, text = client.mail(sender)
    if code == 250:
        for rcpt in rcpts.split(","):
            code, text = client.rcpt(rcpt)
            if code not in (250, 251):
                break
        else:
            code, text = client.data(message)
    print(json.dumps({"code": code, "text": text.decode()}))
except smtplib.SMTPAuthenticationError as e:
    print(json.dumps({"code": e.smtp_code, "text": e.smtp_error.decode()}))
finally:
    try:
        client.quit()
    except smtplib.SMTPServerDisconnected:
        pass
