#!/bin/sh
# `wafersim run --picture PATH` (arch/picture.h): an SVG of the wafer per
# variant. Checks on a 3 x 2 wafer with three variants:
#   - well-formed XML (when python3 is there) with the run's provenance;
#   - one panel per variant, 6 tiles and 14 directed links in each;
#   - every link's utilisation in the picture equals the --links CSV's
#     (to the 6 significant digits printed), for every variant;
#   - the tiles' busy times sum to tiles x tile_busy_mean_us of the CSV;
#   - a picture that cannot be written is an error (exit 1) and leaves no
#     file; a variant name with XML specials is escaped.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 32 3 2 32 2
cat >> exp.yaml <<EOF2
options:
  expert_affine: {enabled: true}
variants:
  - {name: Base, set: ["strategy.allocation=even"]}
  - {name: EP, set: ["strategy.allocation=home"]}
  - {name: "A<&>", set: ["strategy.allocation=affine"]}
EOF2
run "$WAFERSIM" run -q --format csv --out res.csv --links links.csv --picture pic.svg exp.yaml
expect_status 0
expect_file_exists pic.svg
if command -v python3 >/dev/null 2>&1; then
    expect_true "the picture is well-formed XML" python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' pic.svg
else
    skip_check "the picture is well-formed XML" "python3 is not installed"
fi
expect_eq "provenance: config hash of the experiment" 1 \
    "$(grep -c "<ws:provenance key=\"config_hash\">$(sed -n 's/^# config_hash: //p' res.csv)<" pic.svg)"
expect_eq "three panels" 3 "$(grep -c '<g class="panel">' pic.svg)"
expect_eq "18 tiles" 18 "$(grep -c '<g class="tile">' pic.svg)"
expect_eq "42 directed links" 42 "$(grep -c '<g class="link">' pic.svg)"
expect_eq "variant name escaped" 1 "$(grep -c '>A&lt;&amp;&gt;</text>' pic.svg)"

# link utilisations: picture (in panel order) against the CSV
awk '/<g class="panel">/ { p++ } /<g class="link">/ { sub(/.*<title>link /, ""); sub(/: utilisation /, " "); sub(/<\/title>.*/, "");
     sub(/&gt;/, ">"); print p, $1, $2 }' pic.svg > pic_links.txt
grep -v '^#' links.csv | awk -F'"' 'NR > 1 { split($1, a, ","); split($3, b, ","); v = a[1];
     p = (v == "Base") ? 1 : (v == "EP") ? 2 : 3; print p, $2, b[5] }' > csv_links.txt
expect_eq "links in the picture = links in the CSV" 42 "$(wc -l < csv_links.txt | tr -d ' ')"
expect_eq "every link's utilisation matches the CSV" ok "$(awk 'NR == FNR { u[$1 " " $2] = $3; next }
    { k = $1 " " $2; if (!(k in u)) { print "missing " k; bad = 1; exit }
      d = u[k] - $3; if (d < 0) d = -d; if (d > 1e-5 * ($3 + 1e-12) + 1e-12) { print k ": " u[k] " vs " $3; bad = 1; exit } }
    END { if (!bad) print "ok" }' pic_links.txt csv_links.txt)"

# tile busy times: sum per panel = tiles x mean of the CSV
col() { csv_col res.csv "$1" "$2"; }
sums=$(awk '/<g class="panel">/ { p++ } /<g class="tile">/ { sub(/.*: busy /, ""); sub(/ us<\/title>.*/, ""); s[p] += $1 }
     END { print s[1], s[2], s[3] }' pic.svg)
i=0
for v in Base EP 'A<&>'; do
    i=$((i + 1))
    got=$(echo "$sums" | cut -d' ' -f$i)
    expect_eq "$v: tile busy times sum to 6 x mean" ok "$(awk -v g="$got" -v m="$(col tile_busy_mean_us "$v")" \
        'BEGIN { e = 6 * m; d = g - e; if (d < 0) d = -d; print (d <= 1e-4 * e) ? "ok" : g " vs " e }')"
done

# an unwritable picture: runtime error, nothing left behind
run "$WAFERSIM" run -q --format csv --out res2.csv --picture no/such/dir/pic.svg exp.yaml
expect_status 1
expect_stderr_contains 'no/such/dir'
expect_file_absent no/such/dir/pic.svg
finish
