#!/usr/bin/env bash
# Debian's Postfix (and postgrey, for real greylisting) configured as the mail hosts the engine
# meets on the Internet, for the suite in test/mta/. Loopback only: 127.0.0.1:25 with the default
# error tarpit, 127.0.0.2:25 with rate limits on (loopback is exempt from them by default).
# Idempotent: run it again to reset the configuration, the log and the greylist database.
# Needs root (apt-get, port 25). See test/mta/README.md for the domains and what each one does.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
dir=/etc/postfix/mailproof
log=/var/log/mailproof-postfix.log

if ! command -v postconf >/dev/null || ! command -v postgrey >/dev/null; then
  echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
  echo "postfix postfix/mailname string mta.mailproof.test" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq postfix postgrey >/dev/null
fi

mkdir -p "$dir"
# Virtual mailboxes: unknown users are refused at RCPT (smtpd_reject_unlisted_recipient, the
# default). bulk.test holds user000..user049: the tarpit case probes 500 addresses, 90 % unknown.
{
  for user in alice bob carol full over; do echo "$user@mta.test mta.test/$user/"; done
  echo "alice@grey.test grey.test/alice/"
  echo "alice@policy.test policy.test/alice/"
  for user in alice bob carol dave erin frank grace heidi ivan judy mallory niaj; do
    echo "$user@ratelimit.test ratelimit.test/$user/"
  done
  for n in $(seq -w 0 49); do echo "user0$n@bulk.test bulk.test/user0$n/"; done
  echo "@catchall.test catchall.test/"
} >"$dir/vmailbox"
# Full mailboxes, a policy refusal of every recipient, greylisting for one domain.
cat >"$dir/recipient_access" <<'MAP'
full@mta.test 452 4.2.2 Mailbox full, try again later
over@mta.test 552 5.2.2 Mailbox full
policy.test 554 5.7.1 Recipient refused by local policy
grey.test greylist
MAP
# A sender this host refuses (the probe's identity refused for good).
cat >"$dir/sender_access" <<'MAP'
refused-sender.test 553 5.7.1 Sender address rejected: not accepted here
MAP

postconf -e \
  "myhostname = mta.mailproof.test" \
  "mydestination = localhost" \
  "inet_interfaces = loopback-only" \
  "inet_protocols = ipv4" \
  "maillog_file = $log" \
  "virtual_mailbox_domains = mta.test catchall.test grey.test ratelimit.test bulk.test policy.test" \
  "virtual_mailbox_maps = texthash:$dir/vmailbox" \
  "virtual_mailbox_base = /var/mail/vhosts" \
  "virtual_uid_maps = static:5000" \
  "virtual_gid_maps = static:5000" \
  "smtpd_restriction_classes = greylist" \
  "greylist = check_policy_service inet:127.0.0.1:10023" \
  "smtpd_relay_restrictions = reject_unauth_destination" \
  "smtpd_sender_restrictions = check_sender_access texthash:$dir/sender_access" \
  "smtpd_recipient_restrictions = check_recipient_access texthash:$dir/recipient_access" \
  "anvil_rate_time_unit = 10s"
# The default smtp listener is replaced by two on loopback addresses; the second one rate-limits
# 127.0.0.1 (taken out of the exceptions) to 10 recipients and 3 connections per 10 s.
postconf -MX smtp/inet 2>/dev/null || true
postconf -M "127.0.0.1:smtp/inet=127.0.0.1:smtp inet n - n - - smtpd"
postconf -M "127.0.0.2:smtp/inet=127.0.0.2:smtp inet n - n - - smtpd \
  -o smtpd_client_event_limit_exceptions= \
  -o smtpd_client_recipient_rate_limit=10 \
  -o smtpd_client_connection_rate_limit=3"

# postgrey: a 2 s greylist, no automatic whitelisting of clients (a test run must not change the next).
pkill -f "postgrey --inet=127.0.0.1:10023" || true
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/10023) 2>/dev/null || break # the old one has let go of its port
  sleep 0.2
done
rm -f /run/mailproof-postgrey.pid
rm -rf /var/lib/mailproof-postgrey && mkdir -p /var/lib/mailproof-postgrey && chown postgrey: /var/lib/mailproof-postgrey
postgrey --inet=127.0.0.1:10023 --delay=2 --auto-whitelist-clients=0 --dbdir=/var/lib/mailproof-postgrey \
  --pidfile=/run/mailproof-postgrey.pid --daemonize

: >"$log"
postfix check
if postfix status >/dev/null 2>&1; then postfix reload; else postfix start; fi
for _ in $(seq 50); do
  if (exec 3<>/dev/tcp/127.0.0.2/25) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/10023) 2>/dev/null; then
    echo "postfix $(postconf -h mail_version) on 127.0.0.1:25 and 127.0.0.2:25, postgrey on 127.0.0.1:10023"
    exit 0
  fi
  sleep 0.2
done
echo "postfix or postgrey did not start; $log says:" >&2
tail -20 "$log" >&2
exit 1
