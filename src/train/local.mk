## src/train — trainer, optimizers, input pipeline, runs and jobs
libprodml_a_SOURCES += src/train/train.h src/train/internal.h src/train/config.c src/train/optim.c src/train/lbfgs.c src/train/solve.c \
	src/train/pipeline.c src/train/ps.c src/train/trainer.c src/train/run.c src/train/runs.c src/train/jobs.c src/train/launch.c
## the MPI calls are built only with MPI (configure --with-mpi)
if HAVE_MPI
libprodml_a_SOURCES += src/train/mpi.c
else
libprodml_a_SOURCES += src/train/mpi-none.c
endif
## the CUDA backend is built only with the toolkit (configure --with-cuda):
## nvcc compiles the kernels, which join the library as one more object
libprodml_a_SOURCES += src/train/device.c src/train/gpu-plan.c src/train/cuda-kernels.h
EXTRA_DIST += src/train/cuda-kernels.cu
if HAVE_CUDA
libprodml_a_SOURCES += src/train/cuda.c
libprodml_a_LIBADD = src/train/cuda-kernels.$(OBJEXT)
libprodml_a_DEPENDENCIES = src/train/cuda-kernels.$(OBJEXT)
## no exceptions or thread-safe statics: the kernels' host code then needs
## no libstdc++, and the binary links with the C compiler as before
NVCCFLAGS = -O2 -std=c++17 $(CUDA_ARCH) -Xcompiler -fno-exceptions,-fno-threadsafe-statics,-fPIE
src/train/cuda-kernels.$(OBJEXT): src/train/cuda-kernels.cu src/train/cuda-kernels.h
	@$(MKDIR_P) src/train
	$(AM_V_GEN)$(NVCC) $(NVCCFLAGS) -I$(top_srcdir)/src -c $(top_srcdir)/src/train/cuda-kernels.cu -o $@
MOSTLYCLEANFILES = src/train/cuda-kernels.$(OBJEXT)
else
libprodml_a_SOURCES += src/train/cuda-none.c
endif
