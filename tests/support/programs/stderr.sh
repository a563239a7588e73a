#!/bin/sh
# One line on stdout, one on stderr, then waits for a line and exits.
echo "out line"
echo "err line" >&2
read -r _
