#!/bin/sh
# Starts tinyproxy for one session. The executor passes, in the environment:
#   BERTH_EGRESS_FILTER  one extended regular expression per line, matched against request URLs
#                        (FilterURLs): http://host[:port]/path for plain HTTP, host:port for CONNECT
#   BERTH_EGRESS_ALLOW   the session network's subnet: the only clients served
#   BERTH_EGRESS_PORT    where to listen
#   BERTH_EGRESS_PRIVATE 1 lets allowed names reach non-public addresses (Executor:EgressAllowPrivateNetworks)
# Anything the filter does not match is refused (FilterDefaultDeny), IP addresses included. The
# executor's lines let plain HTTP reach port 80 only and CONNECT reach 443 only, so HTTP and
# HTTPS pass and other protocols and ports do not; ConnectPort holds tunnels to 443 as well.
# What passes goes through egress-check.py (tinyproxy's Upstream), which refuses a name that
# resolves to a non-public address and connects to the address it checked.
set -eu
python3 /usr/local/lib/berth-egress-check.py &
for _ in $(seq 200); do [ -e /tmp/egress-check.ready ] && break; sleep 0.05; done
printf '%s\n' "$BERTH_EGRESS_FILTER" > /tmp/filter
cat > /tmp/tinyproxy.conf <<CONF
Port ${BERTH_EGRESS_PORT:-8888}
Listen 0.0.0.0
Allow ${BERTH_EGRESS_ALLOW}
Timeout 600
MaxClients 64
FilterDefaultDeny Yes
Filter "/tmp/filter"
FilterType ere
FilterURLs Yes
ConnectPort 443
DisableViaHeader Yes
LogLevel Connect
Upstream http 127.0.0.1:8889
CONF
exec /usr/bin/tinyproxy -d -c /tmp/tinyproxy.conf
