#!/usr/bin/env bash
# Renders an ntk-dynamics report to PNG, and fails if any of its SVG figures does not render.
#
#   Scripts/render-report.sh DIR|DIR/report.html OUT.png
#
# With rsvg-convert (Debian: apt-get install librsvg2-bin), the default: the inline SVG figures of
# report.html are laid out two per row under the report's title and status line, in one SVG, which
# rsvg-convert renders (it exits non-zero on malformed SVG). With RENDERER=chromium (Debian: chromium),
# headless Chromium takes a screenshot of the whole HTML page instead.
#
# Environment: RENDERER=rsvg|chromium (default: rsvg when rsvg-convert exists), COLUMNS_PER_ROW (2),
# ZOOM (rsvg-convert zoom factor, 1), WINDOW (Chromium window size, 1300,4000).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 DIR|report.html OUT.png" >&2
    exit 64
fi
input=$1 out=$2
if [[ -d $input ]]; then input=$input/report.html; fi
if [[ ! -f $input ]]; then
    echo "error: $input not found; write it with 'ntk-dynamics report DIR' first" >&2
    exit 1
fi

renderer=${RENDERER:-}
if [[ -z $renderer ]]; then
    if command -v rsvg-convert >/dev/null; then renderer=rsvg
    elif command -v chromium >/dev/null; then renderer=chromium
    else
        echo "error: neither rsvg-convert (apt-get install librsvg2-bin) nor chromium (apt-get install chromium) is installed" >&2
        exit 1
    fi
fi

case $renderer in
chromium)
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${WINDOW:-1300,4000}" \
        --screenshot="$out" "file://$(realpath "$input")" >/dev/null 2>&1 \
        || { echo "error: chromium could not render $input" >&2; exit 1; }
    ;;
rsvg)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # One composite SVG: title and status text, then the figures in a grid.
    awk -v cols="${COLUMNS_PER_ROW:-2}" '
        function attr(tag, name,   m) {
            if (match(tag, " " name "=\"[^\"]*\"")) { m = substr(tag, RSTART + length(name) + 3, RLENGTH - length(name) - 4); return m + 0 }
            return 0
        }
        function strip(s) { gsub(/<[^>]*>/, "", s); return s }
        /<h1>/ && title == "" { title = strip($0) }
        /<p class="(status|warning|synopsis)">/ { status[++ns] = strip($0) }
        /^<svg / { n++; w[n] = attr($0, "width"); h[n] = attr($0, "height"); open[n] = $0; body[n] = ""; inside = 1; next }
        inside && /^<\/svg>/ { inside = 0; next }
        inside { body[n] = body[n] $0 "\n" }
        END {
            if (n == 0) { print "no <svg> figure found" > "/dev/stderr"; exit 2 }
            gap = 12; top = 44 + 18 * ns
            y = top; rowh = 0; col = 0; cx = gap; W = 0
            for (i = 1; i <= n; i++) {
                if (col == cols) { y += rowh + gap; rowh = 0; col = 0; cx = gap }
                x[i] = cx; yy[i] = y; cx += w[i] + gap
                if (cx > W) W = cx
                if (h[i] > rowh) rowh = h[i]
                col++
            }
            H = y + rowh + gap
            printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, sans-serif\">\n", W, H, W, H
            printf "<rect width=\"%d\" height=\"%d\" fill=\"#fafafa\"/>\n", W, H
            printf "<text x=\"%d\" y=\"28\" font-size=\"20\" font-weight=\"bold\" fill=\"#222\">%s</text>\n", gap, title
            for (s = 1; s <= ns; s++) printf "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#444\">%s</text>\n", gap, 36 + 18 * s, status[s]
            for (i = 1; i <= n; i++) {
                tag = open[i]; sub(/^<svg /, "<svg x=\"" x[i] "\" y=\"" yy[i] "\" ", tag)
                print tag; printf "%s", body[i]; print "</svg>"
            }
            print "</svg>"
        }' "$input" > "$tmp/report.svg"
    rsvg-convert --zoom="${ZOOM:-1}" --background-color=white --output="$out" "$tmp/report.svg" \
        || { echo "error: rsvg-convert could not render the figures of $input" >&2; exit 1; }
    ;;
*)
    echo "error: RENDERER must be rsvg or chromium, not '$renderer'" >&2
    exit 64
    ;;
esac

if [[ ! -s $out ]] || [[ $(head -c 8 "$out" | od -An -tx1 | tr -d ' \n') != 89504e470d0a1a0a ]]; then
    echo "error: $out is not a PNG" >&2
    exit 1
fi
echo "rendered $input -> $out ($(wc -c < "$out") bytes)"
