# Masks the ids of model artifacts in a golden's text.  A model artifact is
# named by the SHA-256 of the model file, and the weights in it differ in
# their last bits from one CPU to another (OpenBLAS picks its kernels by
# CPU), so the id cannot be pinned.  Each id becomes MODELn, numbered in
# order of first appearance by its first 12 digits (the short form), with
# " (sha256)" after the full form: a golden still shows which versions
# share an artifact and which form is printed where.
{
	out = ""
	while (match($0, /artifact [0-9a-f]+/)) {
		id = substr($0, RSTART + 9, RLENGTH - 9)
		head = substr($0, 1, RSTART - 1)
		rest = substr($0, RSTART + RLENGTH)
		if (length(id) == 12 || length(id) == 64) {
			k = substr(id, 1, 12)
			if (!(k in seen))
				seen[k] = ++count
			out = out head "artifact MODEL" seen[k] (length(id) == 64 ? " (sha256)" : "")
		} else {
			out = out head "artifact " id
		}
		$0 = rest
	}
	print out $0
}
