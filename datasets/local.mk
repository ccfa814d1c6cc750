## datasets/ — the generator of the bundled datasets.  It is built by
## `make check` only: tests/cmd/datasets.sh runs it and checks that the
## committed CSV files are exactly what it writes.
check_PROGRAMS += datasets/gen-datasets
datasets_gen_datasets_SOURCES = datasets/gen-datasets.c
datasets_gen_datasets_LDADD = -lm
