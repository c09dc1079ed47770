#!/bin/bash
# prof-abn.sh <ref> <rounds> <runs> dist...: alternates the dists, prints each run and the mean of the all-mode minimum per dist
ref=$1; rounds=$2; runs=$3; shift 3
for i in $(seq $rounds); do for d in "$@"; do echo "$d $(UV_THREADPOOL_SIZE=2 node prof-ab.mjs /work/main/$d $ref $runs)"; done; done | tee /tmp/abn.out
python3 - <<'PY'
import json,collections
r=collections.defaultdict(list)
for line in open('/tmp/abn.out'):
    d,j=line.split(' ',1); o=json.loads(j); r[d].append((o['bare'][0],o['all'][0],o['wall']))
for d,v in r.items():
    n=len(v); print(d, 'bare %.0f all %.0f ratio %.3f' % (sum(x[0] for x in v)/n, sum(x[1] for x in v)/n, sum(x[2] for x in v)/n), 'min all', min(x[1] for x in v))
PY
