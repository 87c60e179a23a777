"""Submits one message with DSN parameters (RFC 3461) with Python's smtplib over STARTTLS and AUTH.

usage: dsn.py PORT USER PASSWORD FROM TO "MAIL-OPTIONS" "RCPT-OPTIONS" [HEADER-FROM [BODY]]
TO may list several recipients, comma-separated, each given RCPT-OPTIONS ("{rcpt}" there stands for its address);
the data is sent when at least one is accepted. FROM may be empty (the null sender); HEADER-FROM, the From header's
address, defaults to FROM; BODY, the text after the header (sent as UTF-8, with lines ending in CRLF), defaults to
one line "body".
Prints one JSON line: {"offered": whether EHLO lists DSN, "code": ..., "text": ...} for the end of DATA, or for the
first refusal.
"""
import json
import smtplib
import ssl
import sys

port, user, password, sender, rcpt, mail_options, rcpt_options = sys.argv[1:8]
header_from = sys.argv[8] if len(sys.argv) > 8 else sender
body = sys.argv[9] if len(sys.argv) > 9 else "body\r\n"
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
client = smtplib.SMTP("127.0.0.1", int(port), timeout=30)
client.starttls(context=context)
client.ehlo("python.client.test")
client.login(user, password)
offered = client.has_extn("dsn")
result = {"offered": offered}
code, text = client.mail(sender, mail_options.split())
if code == 250:
    accepted = False
    for address in rcpt.split(","):
        code, text = client.rcpt(address, rcpt_options.replace("{rcpt}", address).split())
        accepted = accepted or code == 250
    if accepted:
        to = ", ".join(f"<{address}>" for address in rcpt.split(","))
        code, text = client.data(f"From: <{header_from}>\r\nTo: {to}\r\nSubject: dsn\r\n"
                                 f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}".encode())
result.update(code=code, text=text.decode())
client.quit()
print(json.dumps(result))
