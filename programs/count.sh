#!/bin/sh
# Counts from 1 to 10, one number a second, then exits: the classic
# websocketd demo. Each line it prints reaches the client as one message.
# COUNT_DELAY changes the pace (seconds; let it through with
# --passenv PATH,COUNT_DELAY).
delay=${COUNT_DELAY:-1}
n=1
while [ "$n" -le 10 ]; do
  echo "$n"
  [ "$n" -lt 10 ] && sleep "$delay"
  n=$((n + 1))
done
