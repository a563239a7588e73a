#!/bin/sh
# Ignores SIGINT and SIGTERM (noting each in $MARKER_DIR/signals) and never
# exits on its own: only SIGKILL ends it.
note() { [ -n "$MARKER_DIR" ] && echo "$1" >> "$MARKER_DIR/signals"; }
trap 'note INT' INT
trap 'note TERM' TERM
echo "pid $$"
while :; do sleep 0.05; done
