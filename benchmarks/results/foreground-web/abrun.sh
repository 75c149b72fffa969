#!/bin/bash
# usage: abrun.sh DIR PROCESSING PORT
DIR=$1; P=$2; PORT=$3
echo '{ "name": "Acme Corp", "plan": "pro" }' > /tmp/company.json
cd $DIR/samples/EventKit.Samples.Web/bin/Release/net10.0
EventKit__EnableProcessing=$P ASPNETCORE_URLS=http://127.0.0.1:$PORT dotnet EventKit.Samples.Web.dll > /tmp/web-$PORT.log 2>&1 &
PID=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:$PORT/health >/dev/null && break; sleep 0.2; done
ab -q -n 500 -c 16 -p /tmp/company.json -T application/json http://127.0.0.1:$PORT/companies > /dev/null 2>&1  # warm-up
ab -n 5000 -c 16 -p /tmp/company.json -T application/json http://127.0.0.1:$PORT/companies > /tmp/ab-$P.txt 2>&1
grep -E "Requests per second|Failed requests|Non-2xx|^  50%|^  95%|^  99%" /tmp/ab-$P.txt | tr '\n' ' '; echo
curl -s http://127.0.0.1:$PORT/events/metrics 2>/dev/null | head -c 300; echo
kill $PID; wait $PID 2>/dev/null
