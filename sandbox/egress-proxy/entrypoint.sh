#!/bin/sh
# Starts tinyproxy for one session. The executor passes, in the environment:
#   BERTH_EGRESS_FILTER  one extended regular expression per line, matched against host names
#   BERTH_EGRESS_ALLOW   the session network's subnet: the only clients served
#   BERTH_EGRESS_PORT    where to listen
# Anything the filter does not match is refused (FilterDefaultDeny), IP addresses included;
# CONNECT goes to port 443 only, so HTTPS passes and other protocols do not.
set -eu
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
ConnectPort 443
DisableViaHeader Yes
LogLevel Connect
CONF
exec /usr/bin/tinyproxy -d -c /tmp/tinyproxy.conf
