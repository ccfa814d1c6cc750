TESTS += \
	tests/cmd/man.sh \
	tests/cmd/pipeline-errors.cmd \
	tests/cmd/pipeline-basic.sh \
	tests/cmd/pipeline-resume.sh \
	tests/cmd/pipeline-export.sh \
	tests/cmd/pipeline-trigger.sh \
	tests/cmd/pipeline-exclusive.sh \
	tests/cmd/lab-continuous-training.sh \
	tests/cmd/exit-status.sh \
	tests/cmd/libs.sh \
	tests/cmd/datasets.sh \
	tests/cmd/workspace-gc.sh \
	tests/cmd/train-dead.sh \
	tests/cmd/train-mpi.sh \
	tests/cmd/data-load.cmd \
	tests/cmd/data-lineends.cmd \
	tests/cmd/data-inf.cmd \
	tests/cmd/data-text.cmd \
	tests/cmd/data-controls.cmd \
	tests/cmd/data-names.cmd \
	tests/cmd/data-json.cmd \
	tests/cmd/data-errors.cmd \
	tests/cmd/data-sql.cmd \
	tests/cmd/data-split.cmd \
	tests/cmd/data-ascii.cmd \
	tests/cmd/echo.cmd
