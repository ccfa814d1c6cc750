## Screen tests of the workbench (golden dumps, tmux, session-log replay).
TESTS += tests/tui/screens.sh tests/tui/replay.sh tests/tui/tmux.sh
EXTRA_DIST += tests/tui
