"""Logs in with a bearer token over STARTTLS with Python's smtplib, as a client outside .NET would, and sends one
message when the login succeeds.

usage: oauth.py PORT XOAUTH2|OAUTHBEARER USER TOKEN TO
Prints one JSON line: {"auth": [code, text], "challenge": the server's error challenge decoded or null,
"data": [code, text] or null, "offered": the AUTH mechanisms of EHLO}.
"""
import json
import smtplib
import ssl
import sys

port, mechanism, user, token, rcpt = sys.argv[1:6]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
client = smtplib.SMTP("127.0.0.1", int(port), timeout=30)
client.starttls(context=context)
client.ehlo("python.client.test")
result = {"offered": client.esmtp_features.get("auth", ""), "challenge": None, "data": None}


def respond(challenge=None):
    # smtplib calls this for the initial response (challenge None) and again for each 334 challenge.
    if challenge is None:
        if mechanism == "XOAUTH2":
            return f"user={user}\x01auth=Bearer {token}\x01\x01"
        return f"n,a={user},\x01host=127.0.0.1\x01port={port}\x01auth=Bearer {token}\x01\x01"
    result["challenge"] = challenge.decode()
    # RFC 7628 3.2.3: the client answers an error challenge with a dummy response (OAUTHBEARER: ^A).
    return "" if mechanism == "XOAUTH2" else "\x01"


try:
    code, text = client.auth(mechanism, respond, initial_response_ok=True)
    result["auth"] = [code, text.decode()]
    client.mail(user)
    client.rcpt(rcpt)
    code, text = client.data(f"From: <{user}>\r\nTo: <{rcpt}>\r\nSubject: oauth {mechanism}\r\n\r\nbody\r\n".encode())
    result["data"] = [code, text.decode()]
except smtplib.SMTPAuthenticationError as e:
    result["auth"] = [e.smtp_code, e.smtp_error.decode()]
finally:
    try:
        client.quit()
    except Exception:
        pass
print(json.dumps(result))
