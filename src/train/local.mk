## src/train — trainer, optimizers, input pipeline, runs and jobs
libprodml_a_SOURCES += src/train/train.h src/train/internal.h src/train/config.c src/train/optim.c src/train/lbfgs.c src/train/solve.c \
	src/train/pipeline.c src/train/ps.c src/train/trainer.c src/train/run.c src/train/runs.c src/train/jobs.c src/train/launch.c
## the MPI calls are built only with MPI (configure --with-mpi)
if HAVE_MPI
libprodml_a_SOURCES += src/train/mpi.c
else
libprodml_a_SOURCES += src/train/mpi-none.c
endif
