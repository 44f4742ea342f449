#!/bin/bash
# bench/noc_identity.sh — the identity check of network optimisations
# (doc/performance.md): runs `wafersim noc --format csv --links --histogram`
# on configs/noc/mesh8x8.yaml and variants with two binaries and compares
# every output file byte for byte, except the revision line.
#   usage: sh bench/noc_identity.sh OLD_WAFERSIM NEW_WAFERSIM [OUTDIR]
# Exit status 0 when every file is identical, 1 otherwise.
set -u
old=$1
new=$2
out=${3:-$(mktemp -d)}
cfg="$(cd "$(dirname "$0")/.." && pwd)/configs/noc/mesh8x8.yaml"
export SOURCE_DATE_EPOCH=0
mkdir -p "$out/old" "$out/new"
fail=0
i=0
variant() {
    i=$((i + 1))
    for side in old new; do
        bin=$old
        [ $side = new ] && bin=$new
        "$bin" noc -q --format csv --links "$out/$side/v$i.links.csv" --histogram "$out/$side/v$i.hist.csv" \
            --out "$out/$side/v$i.csv" "$@" "$cfg" >/dev/null 2>"$out/$side/v$i.err"
        echo "status $?" >>"$out/$side/v$i.err"
    done
    for f in v$i.csv v$i.links.csv v$i.hist.csv v$i.err; do
        if ! cmp -s "$out/old/$f" "$out/new/$f" &&
            ! diff <(grep -v '^# revision' "$out/old/$f") <(grep -v '^# revision' "$out/new/$f") >/dev/null 2>&1; then
            echo "DIFFERENT: variant $i ($*): $f"
            fail=1
        fi
    done
}
variant
variant --set hw.routing=west_first
variant --set hw.routing=odd_even
variant --set hw.routing=yx
variant --set noc.switching=vct --set noc.packet_flits=4 --set 'traffic.packet_flits=[1,4]' --set noc.vc_buffer_flits=8
variant --set noc.packet_flits=4 --set 'traffic.packet_flits=[4]'
variant --set noc.half_duplex=true
variant --set noc.half_duplex=true --set hw.routing=west_first --set noc.switching=vct --set noc.packet_flits=3 --set 'traffic.packet_flits=[1,3]'
variant --set 'hw.grid={x: 16, y: 16}' --rates 0.05,0.1,0.2,0.3
variant --set 'hw.grid={x: 64, y: 64}' --set sim.limits.memory=64GiB --rates 0.01,0.03
variant --set traffic.pattern=bit_complement
variant --set traffic.pattern=transpose
variant --set traffic.pattern=hotspot --set traffic.injection=on_off --set 'traffic.hotspot_nodes=[0,27]'
variant --set noc.routing_delay=0cycles --set noc.vc_alloc_delay=0cycles --set noc.sw_alloc_delay=0cycles --set noc.st_delay=0cycles --set noc.credit_delay=2cycles
variant --set hw.link.latency=3cycles --set hw.link.bandwidth=8B/cycle --set noc.input_speedup=2 --rates 0.05,0.1,0.2
variant --set 'noc.link_overrides=[{select: horizontal, width_scale: 0.5, latency_scale: 2}]' --set noc.vcs=2 --set noc.vc_buffer_flits=3
variant --no-skip --set traffic.pattern=tornado
variant --set traffic.pattern=permutation --set traffic.rate_unit=packets --set noc.packet_flits=2 --set 'traffic.packet_flits=[2]'
variant --set hw.link.latency=100cycles --set hw.link.bandwidth=1B/cycle --rates 0.002,0.005
variant --no-skip --set 'hw.grid={x: 5, y: 3}' --set noc.half_duplex=true
variant --set noc.flit_streaming=true --set hw.link.bandwidth=6B/cycle --set noc.packet_flits=3 --set 'traffic.packet_flits=[1,3]' --rates 0.02,0.05
variant --set noc.flit_streaming=true --set noc.half_duplex=true --set hw.routing=odd_even --set noc.switching=vct --set noc.packet_flits=4 --set 'traffic.packet_flits=[4]' --rates 0.01,0.03
variant --set noc.vcs=16 --set noc.vc_buffer_flits=2 --set hw.routing=odd_even --set noc.packet_flits=2 --set 'traffic.packet_flits=[1,2]' --rates 0.05,0.2,0.4
variant --set noc.routing_delay=2cycles --set noc.vc_alloc_delay=2cycles --set noc.packet_flits=2 --set 'traffic.packet_flits=[1,2]'
variant --set noc.vcs=6 --set noc.switching=vct --set noc.packet_flits=3 --set 'traffic.packet_flits=[3]' --set noc.input_speedup=2 --rates 0.05,0.2,0.4
echo "$i variants, outputs in $out"
exit $fail
