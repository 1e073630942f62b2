#!/usr/bin/env bash
# Colour only on a terminal, and never with NO_COLOR or --no-color.  script(1) gives the
# command a pseudo-terminal.
# usage: color.sh RACEDEMO
set -u
rd=$1
fail=0
esc=$'\033['
tty_run() { script -qec "$*" /dev/null </dev/null; }
case "$(tty_run env -u NO_COLOR "$rd" order --runs 3)" in
  *"$esc"*) ;;
  *) echo "FAIL: no colour on a terminal"; fail=1 ;;
esac
case "$(tty_run env NO_COLOR=1 "$rd" order --runs 3)" in
  *"$esc"*) echo "FAIL: colour despite NO_COLOR"; fail=1 ;;
esac
case "$(tty_run env -u NO_COLOR "$rd" order --runs 3 --no-color)" in
  *"$esc"*) echo "FAIL: colour despite --no-color"; fail=1 ;;
esac
case "$(env -u NO_COLOR "$rd" order --runs 3)" in
  *"$esc"*) echo "FAIL: colour into a pipe"; fail=1 ;;
esac
exit $fail
