#!/bin/bash
# Sets up a relay node (silo or front-end) on Ubuntu: Docker, the egress addresses, and a systemd unit that logs in
# to the registry as the VM's managed identity, pulls the image and runs it on the host's network. The scale set's
# Custom Script extension runs this at creation and again whenever its settings change (a new image, new settings),
# so every step can run twice. The placeholders are replaced by the Bicep template.
# The extension runs an inline script with /bin/sh: continue in bash.
if [ -z "${BASH_VERSION:-}" ]; then exec /bin/bash "$0" "$@"; fi
set -euo pipefail

registry='@REGISTRY@'
image='@IMAGE@'
client_id='@CLIENT_ID@'
egress_ips='@EGRESS_IPS@'   # public IPs in NIC order (silos); empty on front-ends
imds='http://169.254.169.254/metadata'

if ! command -v docker >/dev/null || ! command -v jq >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io jq
fi
systemctl enable --now docker

install -d -m 0700 /etc/sendarix
# The relay's settings (no secrets: those are read from Key Vault by the relay itself).
echo '@ENV_B64@' | base64 -d > /etc/sendarix/sendarix.env
# The address other silos and clients reach this node on: the primary NIC's, known only on the VM.
primary=$(curl -fsS -H Metadata:true "$imds/instance/network/interface/0/ipv4/ipAddress/0/privateIpAddress?api-version=2021-02-01&format=text")
echo "Sendarix__Cluster__AdvertisedAddress=$primary" >> /etc/sendarix/sendarix.env
chmod 0600 /etc/sendarix/sendarix.env

# Egress: the relay binds each delivery to the public IP it chose (Sendarix:Egress), as on a host that owns its
# addresses. Here each public IP is made local (on lo) and routed out of its own NIC, whose address it is translated
# to; the egress load balancer's rule for that NIC then sends it as that public IP, and replies come back the same way.
cat > /usr/local/sbin/sendarix-egress <<'SCRIPT'
#!/bin/bash
set -euo pipefail
imds='http://169.254.169.254/metadata'
i=0
for public in $(cat /etc/sendarix/egress-ips); do
  mac=$(curl -fsS -H Metadata:true "$imds/instance/network/interface/$i/macAddress?api-version=2021-02-01&format=text" | tr 'A-F' 'a-f' | sed 's/../&:/g; s/:$//')
  # The NIC with this MAC, not its accelerated-networking VF (same MAC, enslaved to it).
  dev=$(ip -o link | awk -v mac="$mac" '$0 ~ "link/ether " mac && $0 !~ / master / {sub(":", "", $2); print $2; exit}')
  private=$(curl -fsS -H Metadata:true "$imds/instance/network/interface/$i/ipv4/ipAddress/0/privateIpAddress?api-version=2021-02-01&format=text")
  subnet=$(curl -fsS -H Metadata:true "$imds/instance/network/interface/$i/ipv4/subnet/0/address?api-version=2021-02-01&format=text")
  prefix=$(curl -fsS -H Metadata:true "$imds/instance/network/interface/$i/ipv4/subnet/0/prefix?api-version=2021-02-01&format=text")
  gateway="${subnet%.*}.$(( ${subnet##*.} + 1 ))"   # Azure's gateway is the subnet's first address
  table=$((100 + i))
  ip link set "$dev" up
  # Ubuntu configures secondary NICs by DHCP, but not always before this runs.
  ip -o -4 addr show dev "$dev" | grep -q " $private/" || ip addr add "$private/$prefix" dev "$dev"
  ip addr replace "$public/32" dev lo
  ip route replace default via "$gateway" dev "$dev" src "$private" table "$table"
  ip rule del from "$public" 2>/dev/null || true
  ip rule add from "$public" table "$table"
  iptables -t nat -C POSTROUTING -s "$public" -j SNAT --to-source "$private" 2>/dev/null \
    || iptables -t nat -A POSTROUTING -s "$public" -j SNAT --to-source "$private"
  # Replies arrive on the NIC for an address that lives on lo: strict reverse-path filtering would drop them.
  sysctl -qw "net.ipv4.conf.$dev.rp_filter=2"
  i=$((i + 1))
done
sysctl -qw net.ipv4.conf.all.rp_filter=2
SCRIPT
chmod 0755 /usr/local/sbin/sendarix-egress
echo "$egress_ips" > /etc/sendarix/egress-ips

# Registry login with the managed identity: an Entra token from the instance metadata service, exchanged for a
# registry refresh token (no admin user, no stored password).
cat > /usr/local/sbin/sendarix-login <<SCRIPT
#!/bin/bash
set -euo pipefail
aad=\$(curl -fsS -H Metadata:true "$imds/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/&client_id=$client_id" | jq -r .access_token)
refresh=\$(curl -fsS -X POST -d "grant_type=access_token&service=$registry&access_token=\$aad" "https://$registry/oauth2/exchange" | jq -r .refresh_token)
echo "\$refresh" | docker login "$registry" -u 00000000-0000-0000-0000-000000000000 --password-stdin >/dev/null
docker pull -q "$image"
SCRIPT
chmod 0700 /usr/local/sbin/sendarix-login

cat > /etc/systemd/system/sendarix.service <<UNIT
[Unit]
Description=Sendarix relay
After=docker.service network-online.target
Requires=docker.service
Wants=network-online.target

[Service]
ExecStartPre=/usr/local/sbin/sendarix-egress
ExecStartPre=/usr/local/sbin/sendarix-login
ExecStartPre=-/usr/bin/docker rm -f sendarix
# The host's network: the load balancer's health probe, the client's address on SMTP sessions and the egress
# addresses are the VM's own, with no port mapping or NAT in between.
# A stop is the relay's SIGTERM: a front-end drains for up to Sendarix:Smtp:DrainTimeout (30 s) and the host allows 30 s
# more to leave the cluster; docker kills it only after that.
ExecStart=/usr/bin/docker run --name sendarix --network host --env-file /etc/sendarix/sendarix.env --log-driver journald --stop-timeout 75 $image
ExecStop=/usr/bin/docker stop -t 75 sendarix
TimeoutStopSec=90
# Until the image is pushed or the secrets are in Key Vault, the relay cannot start: keep trying.
Restart=always
RestartSec=15
TimeoutStartSec=600

[Install]
WantedBy=multi-user.target
UNIT

systemctl daemon-reload
systemctl enable sendarix.service
# Not waited for: the first start may wait for the image, and the extension must not time out meanwhile.
systemctl restart --no-block sendarix.service
