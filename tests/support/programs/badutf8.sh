#!/bin/sh
# Writes one good line, then bytes that are not UTF-8.
echo "fine"
printf 'caf\351\n'
sleep 5
