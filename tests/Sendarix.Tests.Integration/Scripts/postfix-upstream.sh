#!/usr/bin/env bash
# An upstream smarthost nobody here wrote, for the relay's authenticated routes: a Postfix instance of its own (its own
# configuration and queue under DIR, beside any other Postfix on the machine) that takes mail on 127.0.0.1:PORT only
# over STARTTLS and only after AUTH PLAIN or LOGIN as USER with PASSWORD (Cyrus SASL, sasldb), and relays it to
# 127.0.0.1:RELAY_PORT. Root is needed (Postfix's master). Loopback only.
# With USER "-", it takes mail from loopback without TLS or AUTH instead: a plain destination that offers SMTPUTF8.
# Usage: postfix-upstream.sh start DIR PORT RELAY_PORT USER PASSWORD | stop DIR
set -eu
cmd=$1 dir=$2
case "$cmd" in
start)
  port=$3 relay=$4 user=$5 password=$6
  mkdir -p "$dir/conf/sasl" "$dir/queue" "$dir/data"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/conf/key.pem" -out "$dir/conf/cert.pem" -days 2 -subj "/CN=upstream-postfix.test" 2>/dev/null
  cat > "$dir/conf/main.cf" <<CF
compatibility_level = 3.6
myhostname = upstream-postfix.test
queue_directory = $dir/queue
data_directory = $dir/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks =
relayhost = [127.0.0.1]:$relay
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
smtpd_tls_cert_file = $dir/conf/cert.pem
smtpd_tls_key_file = $dir/conf/key.pem
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = upstream.test
smtpd_client_restrictions = permit_sasl_authenticated, reject
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtp_tls_security_level = none
CF
  # Debian's master.cf without its port-25 listener and with no chroot, plus the test's own listener.
  awk -v port="$port" '
    /^[a-z]/ && NF >= 8 { if ($2 == "inet") next; $5 = "n" }
    { print }
    END { print "127.0.0.1:" port " inet n - n - - smtpd" }' /etc/postfix/master.cf.proto > "$dir/conf/master.cf"
  # Debian's Cyrus SASL reads smtpd.conf from the instance's own configuration directory.
  printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s/sasldb2\n' "$dir" > "$dir/conf/sasl/smtpd.conf"
  if [ "$user" != "-" ]; then
    printf '%s' "$password" | saslpasswd2 -f "$dir/sasldb2" -p -c -u upstream.test "$user" 2>/dev/null
    chown postfix "$dir/sasldb2" && chmod 640 "$dir/sasldb2"
  fi
  if [ "$user" = "-" ]; then
    postconf -c "$dir/conf" -e smtpd_tls_security_level=may smtpd_tls_auth_only=no smtpd_sasl_auth_enable=no mynetworks=127.0.0.0/8 \
      "smtpd_client_restrictions=permit_mynetworks, reject" "smtpd_relay_restrictions=permit_mynetworks, reject"
  fi
  chown -R postfix "$dir/data"
  postfix -c "$dir/conf" check
  postfix -c "$dir/conf" start 2>&1
  ;;
stop)
  postfix -c "$dir/conf" stop 2>&1 || true
  ;;
*) echo "usage: $0 start DIR PORT RELAY_PORT USER PASSWORD | stop DIR" >&2; exit 2 ;;
esac
