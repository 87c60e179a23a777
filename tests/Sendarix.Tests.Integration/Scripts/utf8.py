"""Submits one internationalised message (RFC 6531/6532) with Python's smtplib: SMTPUTF8 on MAIL FROM, a UTF-8
recipient address, and a UTF-8 Subject written raw in the header.

usage: utf8.py PORT USER PASSWORD FROM TO SUBJECT
Prints one JSON line: {"offered": whether EHLO lists SMTPUTF8, "code": ..., "text": ...} for the end of DATA, or for the
first refusal.
"""
import json
import smtplib
import ssl
import sys

port, user, password, sender, rcpt, subject = sys.argv[1:7]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
client = smtplib.SMTP("127.0.0.1", int(port), timeout=30)
client.starttls(context=context)
client.ehlo("python.client.test")
client.login(user, password)
result = {"offered": client.has_extn("smtputf8")}
message = f"From: <{sender}>\r\nTo: <{rcpt}>\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGrüße\r\n".encode("utf-8")
# mail() with SMTPUTF8 switches smtplib's command encoding to UTF-8 (RFC 6531).
code, text = client.mail(sender, ["SMTPUTF8"])
if code == 250:
    code, text = client.rcpt(rcpt)
    if code == 250:
        code, text = client.data(message)
result.update(code=code, text=text.decode())
client.quit()
print(json.dumps(result))
