#!/bin/sh
# Says one line, then exits with status 3.
echo "bye"
exit 3
