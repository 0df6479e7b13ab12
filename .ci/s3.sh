#!/usr/bin/env bash
# A real S3 server for the S3 suites: a single-node Ceph RADOS Gateway
# (Debian's ceph-mon, ceph-osd, radosgw) living in one folder.
#
#   .ci/s3.sh start   install the packages when missing, make the cluster on
#                     first use, start mon, osd and radosgw, create the test
#                     user and bucket; a no-op while it is running
#   .ci/s3.sh env     print `export S3_...=` lines for the tests (exit 1 when not running)
#   .ci/s3.sh stop    stop radosgw, then the osd, then the mon, by their pids
#   .ci/s3.sh status  exit 0 when the gateway answers
#
# NIMBUS_S3_DIR (default: nimbus-s3 in the system temp folder), NIMBUS_S3_PORT
# (7480) and NIMBUS_S3_MON_PORT (3301) move it. A restart keeps the data.
# No containers, no systemd, no mgr: the settings below are the ones a single
# node on loopback needs (and the two traps, marked).
set -uo pipefail

D="${NIMBUS_S3_DIR:-$(dirname "$(mktemp -u)")/nimbus-s3}"
S3_PORT="${NIMBUS_S3_PORT:-7480}"
MON_PORT="${NIMBUS_S3_MON_PORT:-3301}"
BUCKET="nimbus-test"
REGION="us-east-1"
export CEPH_CONF="$D/ceph.conf"
ENDPOINT="http://127.0.0.1:$S3_PORT"

log() { echo "s3: $*" >&2; }

# Ceph clients wait 300 s for a mon by default; a broken setup must fail fast.
ceph_cli() { timeout 60 ceph --connect-timeout 20 "$@"; }

credentials() {
  # shellcheck source=/dev/null
  [ -f "$D/credentials" ] && . "$D/credentials"
}

# Any answer (even 403 to an anonymous request) means the gateway serves S3.
answers() {
  local code
  code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$ENDPOINT/" 2>/dev/null) || return 1
  [ "$code" != "000" ]
}

signed() {
  credentials
  # RGW checks the payload hash header SigV4 signs; these requests have no body (the SHA-256 of nothing).
  curl -s -m 20 --aws-sigv4 "aws:amz:$REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$@"
}

bucket_ready() {
  [ -f "$D/credentials" ] || return 1
  local code
  code=$(signed -o /dev/null -w '%{http_code}' -I "$ENDPOINT/$BUCKET") || return 1
  [ "$code" = "200" ]
}

install_packages() {
  command -v ceph-mon >/dev/null 2>&1 && command -v ceph-osd >/dev/null 2>&1 \
    && command -v radosgw >/dev/null 2>&1 && command -v radosgw-admin >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || { log "ceph is not installed and there is no apt-get"; return 1; }
  local root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then root=(sudo -n); else log "ceph is not installed and apt-get needs root"; return 1; fi
  fi
  log "installing ceph-mon ceph-osd radosgw ceph-common"
  apt_quiet() {
    ${root[@]+"${root[@]}"} env DEBIAN_FRONTEND=noninteractive timeout 600 \
      apt-get -qq -o DPkg::Lock::Timeout=120 "$@" </dev/null >/dev/null 2>&1
  }
  # Straight from the package lists the image has; refreshed only when that fails.
  apt_quiet install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common \
    || { apt_quiet update && apt_quiet install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common; } \
    || { log "apt-get could not install ceph"; return 1; }
}

write_conf() {
  local fsid="$1"
  cat >"$CEPH_CONF" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $D/run
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
log file = $D/log/\$name.log
mon cluster log file = $D/log/cluster.log
keyring = $D/keyring
mon data = $D/mon/\$id
osd data = $D/osd/\$id
rgw data = $D/rgw/\$id
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000
# The mon stops accepting writes below 5% free disk by default.
mon data avail warn = 2
mon data avail crit = 1
client mount timeout = 30
rados mon op timeout = 30

[mon.a]
# Trap one: without it the mon listens on 3300 while the monmap says MON_PORT, and clients hang.
public addr = v2:127.0.0.1:$MON_PORT

[osd]
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
osd memory target = 1073741824

[client.rgw.a]
# Trap two: radosgw wants secure mode to the mon, which auth none cannot give (fails after 300 s with -13).
ms mon client mode = crc secure
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT
EOF
}

pid_alive() {
  local f="$D/run/$1.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

make_cluster() {
  log "making a single-node cluster in $D"
  rm -rf "$D"
  mkdir -p "$D/run" "$D/log" "$D/mon/a" "$D/osd/0" "$D/rgw/rgw.a" || return 1
  write_conf "$(cat /proc/sys/kernel/random/uuid)"
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null || return 1
  ceph-mon --mkfs -i a --keyring "$D/keyring" >"$D/log/mkfs-mon.log" 2>&1 || { log "ceph-mon --mkfs failed (see $D/log)"; return 1; }
  ceph-mon -i a || return 1
  local uuid id
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_cli osd new "$uuid") || { log "the mon does not answer"; return 1; }
  [ "$id" = "0" ] || { log "unexpected osd id $id"; return 1; }
  ceph-osd -i 0 --mkfs --osd-uuid "$uuid" >"$D/log/mkfs-osd.log" 2>&1 || { log "ceph-osd --mkfs failed (see $D/log)"; return 1; }
  touch "$D/made"
}

start_daemons() {
  pid_alive mon.a || ceph-mon -i a || return 1
  pid_alive osd.0 || ceph-osd -i 0 >/dev/null 2>&1 || return 1
  pid_alive client.rgw.a || radosgw -n client.rgw.a || return 1
  local i
  for i in $(seq 1 90); do
    answers && return 0
    pid_alive client.rgw.a || { log "radosgw exited (see $D/log/client.rgw.a.log)"; return 1; }
    sleep 1
  done
  log "radosgw did not answer on $ENDPOINT within 90 s"
  return 1
}

make_user_and_bucket() {
  if [ ! -f "$D/credentials" ]; then
    local ak sk
    ak=$(head -c 10 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    sk=$(head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n')
    timeout 60 radosgw-admin user create --uid=nimbus-test --display-name="Nimbus tests" \
      --access-key="$ak" --secret="$sk" >/dev/null 2>"$D/log/user-create.log" \
      || { log "radosgw-admin user create failed (see $D/log/user-create.log)"; return 1; }
    printf 'S3_ACCESS_KEY=%s\nS3_SECRET_KEY=%s\n' "$ak" "$sk" >"$D/credentials"
    chmod 600 "$D/credentials"
  fi
  bucket_ready && return 0
  local code
  code=$(signed -o /dev/null -w '%{http_code}' -X PUT "$ENDPOINT/$BUCKET") || return 1
  case "$code" in
    200 | 409) bucket_ready ;;
    *) log "creating bucket $BUCKET answered $code"; return 1 ;;
  esac
}

start() {
  if answers && bucket_ready; then return 0; fi
  install_packages || return 1
  if [ ! -f "$D/made" ]; then make_cluster || return 1; fi
  start_daemons || return 1
  make_user_and_bucket || return 1
  log "RADOS Gateway ready at $ENDPOINT, bucket $BUCKET"
}

stop() {
  local name f pid i
  for name in client.rgw.a osd.0 mon.a; do
    f="$D/run/$name.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill "$pid" 2>/dev/null; then
      for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$f"
  done
}

print_env() {
  answers && credentials && [ -n "${S3_ACCESS_KEY:-}" ] || return 1
  echo "export S3_ENDPOINT=$ENDPOINT"
  echo "export S3_REGION=$REGION"
  echo "export S3_BUCKET=$BUCKET"
  echo "export S3_ACCESS_KEY=$S3_ACCESS_KEY"
  echo "export S3_SECRET_KEY=$S3_SECRET_KEY"
  echo "export S3_FORCE_PATH_STYLE=true"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  status) answers && bucket_ready ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
