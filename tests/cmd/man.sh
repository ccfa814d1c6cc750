#!/bin/sh
# man/prodml.1 must be what the command table and the workbench's key tables
# generate; its WORKBENCH section lists the keys the help screen (?) shows.
"${PRODML:?}" --man >man.out || exit 1
if ! grep -q '^\.SH WORKBENCH$' man.out ||
	! grep -q '^run a command (Tab completes, Up recalls earlier ones)$' man.out; then
	echo "prodml --man has no WORKBENCH section with the keys"
	rm -f man.out
	exit 1
fi
diff -u "${srcdir:?}/man/prodml.1" man.out && { rm -f man.out; exit 0; }
rm -f man.out
echo "man/prodml.1 is out of date: run ./prodml --man > man/prodml.1"
exit 1
