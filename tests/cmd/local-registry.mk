# Command and shell tests of the model registry.  The registry-*.cmd scripts
# run through tests/cmd/registry.sh, which fixes the user name they record.
TESTS += tests/cmd/registry.sh tests/cmd/registry-export.sh tests/cmd/registry-kill.sh
