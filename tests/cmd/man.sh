#!/bin/sh
# man/prodml.1 must be what the command table generates.
"${PRODML:?}" --man | diff -u "${srcdir:?}/man/prodml.1" - && exit 0
echo "man/prodml.1 is out of date: run ./prodml --man > man/prodml.1"
exit 1
