set -e
D=$(mktemp -d); P=18555
rm -rf /tmp/profpost; 
NODE_ENV=production PORT=$P DATA_DIR=$D DOMAIN_RECHECK_INTERVAL=0 node ${PROF:+--cpu-prof --cpu-prof-dir=/tmp/profpost} dist/main.js > $D/log 2>&1 &
PID=$!
for i in $(seq 50); do grep -q "API key" $D/log && break; sleep 0.2; done
KEY=$(grep -o "API key: [^ ]*" $D/log | head -1 | cut -d' ' -f3)
sleep 1
wrk -t1 -c20 -d${DUR:-8}s -H "Authorization: Bearer $KEY" -s bench/api/post.lua http://127.0.0.1:$P/v1/destinations -- p$RANDOM | grep -E "Requests/sec|Non-2xx"
kill -INT $PID; wait $PID || true
