#!/bin/sh
# Writes a 100 KiB line with no end in sight.
head -c 102400 /dev/zero | tr '\0' y
sleep 5
