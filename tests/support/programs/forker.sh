#!/bin/sh
# Forks a long sleep, writes its pid to $MARKER_DIR/child, says so, and waits:
# the child must die when the connection ends.
sleep 300 &
[ -n "$MARKER_DIR" ] && echo "$!" > "$MARKER_DIR/child"
echo "forked $!"
wait
