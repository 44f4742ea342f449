#!/usr/bin/env python3
"""tests/integration/trace_decode.py — an independent reader of wafersim's
binary trace format (doc/traces.md, version 1), used by the integration tests
to check `wafersim trace import` against the source JSON.

usage: trace_decode.py TRACE JSON_ROOT [MODEL_LAYERS]
Decodes TRACE by the documented layout (checking both checksums), then for
every request re-reads JSON_ROOT/<name> with Python's json module and checks
that prompt length, decode length (capped at 128) and every expert id agree.
Prints "ok N requests" and exits 0, or prints the first difference and exits 1.
"""
import json
import struct
import sys


def fnv1a64(data, h=0xcbf29ce484222325):
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def pad8(n):
    return (n + 7) & ~7


def main():
    path, root = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    if data[:8] != b"WSTRACE\0":
        sys.exit("bad magic")
    version, header_size = struct.unpack_from("<II", data, 8)
    model = data[16:48].split(b"\0")[0].decode()
    layers, n_moe, experts, top_k = struct.unpack_from("<IIII", data, 48)
    n_req, pre_tok, dec_tok, index_off, file_size, payload_sum = struct.unpack_from("<QQQQQQ", data, 64)
    moe = list(struct.unpack_from("<%dH" % n_moe, data, 112))
    assert version == 1, version
    assert header_size == 112 + pad8(2 * n_moe) + 8
    assert struct.unpack_from("<Q", data, header_size - 8)[0] == fnv1a64(data[:header_size - 8]), "header sum"
    assert file_size == len(data), "size"
    assert payload_sum == fnv1a64(data[header_size:]), "payload sum"
    assert index_off + 8 * n_req == len(data)
    offsets = struct.unpack_from("<%dQ" % n_req, data, index_off)
    tot_pre = tot_dec = 0
    for i, off in enumerate(offsets):
        prompt, decode, source, name_len, flags = struct.unpack_from("<IIIHH", data, off)
        name = data[off + 16:off + 16 + name_len].decode()
        ids_off = off + 16 + pad8(name_len + 1)
        n_tok = prompt + decode
        ids = struct.unpack_from("<%dH" % (n_tok * n_moe * top_k), data, ids_off)
        src = json.load(open(root + "/" + name))
        want_pre = len(src[0][str(moe[0])])
        if prompt != want_pre or source != len(src) - 1 or decode != min(128, len(src) - 1):
            print("request %d (%s): lengths %d/%d/%d, JSON %d/%d" % (i, name, prompt, decode, source, want_pre,
                                                                    len(src) - 1))
            sys.exit(1)
        for t in range(n_tok):
            elem = src[0] if t < prompt else src[t - prompt + 1]
            for m, layer in enumerate(moe):
                v = elem[str(layer)]
                row = v[t] if t < prompt else (v[0] if isinstance(v[0], list) else v)
                got = list(ids[(t * n_moe + m) * top_k:(t * n_moe + m + 1) * top_k])
                if got != row:
                    print("request %d (%s) token %d layer %d: trace %s, JSON %s" % (i, name, t, layer, got, row))
                    sys.exit(1)
        tot_pre += prompt
        tot_dec += decode
    assert (tot_pre, tot_dec) == (pre_tok, dec_tok), "token sums"
    print("ok %d requests model %s layers %d moe %d experts %d top_k %d" % (n_req, model, layers, n_moe, experts,
                                                                          top_k))


main()
