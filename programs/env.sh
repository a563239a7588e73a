#!/bin/sh
# Prints the environment its connection gave it, one variable a message,
# sorted: the CGI variables (REQUEST_URI, QUERY_STRING, REMOTE_ADDR, one
# HTTP_* per request header …) and whatever --passenv let through. Then it
# exits, and the server closes the connection with 1000.
env | sort
