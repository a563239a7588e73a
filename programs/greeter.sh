#!/bin/sh
# Answers each line it reads with a greeting, until the client leaves (its
# stdin closes). One text message is one line; a message with two lines
# gets two greetings.
while IFS= read -r name; do
  [ -n "$name" ] || name=stranger
  echo "Hello, $name!"
done
