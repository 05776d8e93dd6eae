#!/bin/bash
# Installs the git pre-commit hook that runs scripts/precommit.sh: the hooks of
# .pre-commit-config.yaml (same ids, same scripts) for machines without the pre-commit tool.
# Needs only bash, git, clang-format, shellcheck, python3 and the build tools; no network.
# Usage: scripts/install-git-hooks.sh [--force | --uninstall]
#   --force      replace a pre-commit hook that this script did not write (it is kept as
#                pre-commit.orig)
#   --uninstall  remove the hook this script wrote
set -euo pipefail
cd "$(dirname "$0")/.."
marker="installed by scripts/install-git-hooks.sh"
hooks=$(git rev-parse --git-path hooks)
hook=$hooks/pre-commit

case "${1:-}" in
--uninstall)
    if [ -f "$hook" ] && grep -q "$marker" "$hook"; then
        rm -f "$hook"
        echo "removed $hook"
    else
        echo "no hook of ours at $hook"
    fi
    exit 0
    ;;
--force | "") ;;
*)
    echo "usage: scripts/install-git-hooks.sh [--force | --uninstall]" >&2
    exit 2
    ;;
esac

if [ -e "$hook" ] && ! grep -q "$marker" "$hook"; then
    if [ "${1:-}" != --force ]; then
        echo "$hook exists and is not ours (pre-commit's own, or yours):" >&2
        echo "keep it, or rerun with --force (it is then kept as $hook.orig)" >&2
        exit 1
    fi
    mv "$hook" "$hook.orig"
    echo "kept the old hook as $hook.orig"
fi

mkdir -p "$hooks"
cat >"$hook" <<EOF
#!/bin/sh
# liquid-edge pre-commit hook, $marker.
# Runs the checks of .pre-commit-config.yaml on what is staged. Skip one: SKIP=fast-tests git
# commit ...; bypass all (CI still checks): git commit --no-verify.
exec bash "\$(git rev-parse --show-toplevel)/scripts/precommit.sh"
EOF
chmod +x "$hook"
echo "installed $hook (runs scripts/precommit.sh)"
for tool in clang-format shellcheck python3 cmake; do
    command -v "$tool" >/dev/null 2>&1 || echo "note: '$tool' is missing; the hooks need it" \
        "(Debian: apt-get install $tool; scripts/deps.sh ci installs the CI set)"
done
