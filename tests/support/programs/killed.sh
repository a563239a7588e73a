#!/bin/sh
# Kills itself with SIGSEGV after one line.
echo "about to crash"
kill -SEGV $$
