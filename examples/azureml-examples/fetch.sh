#!/bin/sh
# Re-copies the files of the public Azure ML examples kept here, unchanged, from a clone of
# https://github.com/Azure/azureml-examples (MIT licence, see LICENSE).
# Usage: examples/azureml-examples/fetch.sh /path/to/azureml-examples [commit]   (default commit: the one in README.md)
# A bare clone works too. Then `git diff --stat` shows what upstream changed.
set -eu
src=${1:?usage: fetch.sh /path/to/azureml-examples-clone [commit]}
commit=${2:-085cd6ea399038c1e07843acff811f34261c0887}
here=$(cd "$(dirname "$0")" && pwd)
if [ -d "$src/.git" ]; then gitdir="$src/.git"; else gitdir="$src"; fi
git --git-dir="$gitdir" ls-tree -r --name-only "$commit" \
  | grep -E '^cli/(jobs/basics/([^/]+|src/.*)$|assets/model/mlflow-model/|endpoints/online/(managed/sample|model-1|model-2)/)' \
  | while read -r f; do
      mkdir -p "$here/$(dirname "$f")"
      git --git-dir="$gitdir" show "$commit:$f" > "$here/$f"
    done
echo "copied from $commit into $here/cli"
