#!/bin/sh
# Writes 32 MiB of 1 KiB lines as fast as it can, then notes that it got
# through: with backpressure it cannot finish while the client does not read.
line=$(head -c 1023 /dev/zero | tr '\0' x)
i=0
while [ "$i" -lt 32768 ]; do
  echo "$line"
  i=$((i + 1))
done
[ -n "$MARKER_DIR" ] && echo done > "$MARKER_DIR/flood-done"
