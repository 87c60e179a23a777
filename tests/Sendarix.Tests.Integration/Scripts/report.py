"""Delivers one message as a mail provider's feedback loop would: no AUTH, opportunistic STARTTLS, a null sender.

usage: report.py HOST PORT TO MESSAGE_FILE
Prints one JSON line: {"code": ..., "text": ..., "auth": bool} for the reply to the end of DATA, or for the
first refusal; "auth" says whether the server offered AUTH after STARTTLS.
"""
import json
import smtplib
import ssl
import sys

host, port, rcpt, path = sys.argv[1:5]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with open(path, "rb") as f:
    message = f.read()

client = smtplib.SMTP(host, int(port), timeout=30)
try:
    client.ehlo("fbl.isp.test")
    if client.has_extn("starttls"):
        client.starttls(context=context)
        client.ehlo("fbl.isp.test")
    auth = client.has_extn("auth")
    code, text = client.mail("<>")
    if code == 250:
        code, text = client.rcpt(rcpt)
        if code in (250, 251):
            code, text = client.data(message)
    print(json.dumps({"code": code, "text": text.decode(), "auth": auth}))
finally:
    try:
        client.quit()
    except smtplib.SMTPServerDisconnected:
        pass
