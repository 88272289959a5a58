# shellcheck shell=bash
# Finding Python 3.13 and building a virtual environment with it, for
# scripts/test, scripts/bench and scripts/demo (sourced, not run).
#
# Python is looked for in this order, with no path of any one machine:
#   $PYTHON, then python3.13 / python3 on the PATH, then each 3.13 that pyenv
#   knows (under `pyenv root`).

# is_python313 CANDIDATE: true when CANDIDATE runs and is Python 3.13.
is_python313() {
  "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1
}

# find_python: print the full path of a Python 3.13 interpreter.
find_python() {
  local candidate version root
  for candidate in "${PYTHON:-}" python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && is_python313 "$candidate"; then
      # The interpreter itself, not a shim that may resolve elsewhere later.
      "$candidate" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null); then
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.|$)'); do
      candidate="$root/versions/$version/bin/python3.13"
      if [ -x "$candidate" ] && is_python313 "$candidate"; then
        echo "$candidate"
        return 0
      fi
    done
  fi
  return 1
}

# make_venv WHO DIR: create the virtual environment DIR with Python 3.13,
# unless it has one already. WHO prefixes the messages.
make_venv() {
  local who=$1 dir=$2 py
  [ -x "$dir/bin/python" ] && return 0
  py=$(find_python) || {
    echo "$who: Python 3.13 not found (set PYTHON=/path/to/python3.13)" >&2
    return 1
  }
  echo "$who: creating $dir with $py" >&2
  "$py" -m venv "$dir"
}

# venv_pip DIR ARGS...: pip install ARGS into DIR, quietly.
venv_pip() {
  local dir=$1
  shift
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@" \
    2> >(grep -v -e '^WARNING: Location' -e '^\[notice\]' >&2 || true)
}

# test_venv WHO: .venv with the pinned test stack of requirements_test.txt
# (Home Assistant 2025.4.4), created when missing and refreshed when the file
# changes. Run from the repository root.
test_venv() {
  local who=$1 venv=.venv want
  local stamp="$venv/.requirements_test.sha"
  want=$(sha256sum requirements_test.txt | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  make_venv "$who" "$venv"
  venv_pip "$venv" -r requirements_test.txt
  echo "$want" > "$stamp"
}
