## Screen tests of the workbench (golden dumps, tmux, session-log replay).
TESTS += tests/tui/screens.sh tests/tui/replay.sh tests/tui/tmux.sh tests/tui/train-form.sh \
	tests/tui/data-replay.sh tests/tui/pipelines-live.sh tests/tui/lab-panel.sh
EXTRA_DIST += tests/tui
