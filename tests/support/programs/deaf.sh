#!/bin/sh
# Never reads its input, and says so.
echo "not listening"
exec sleep 300
