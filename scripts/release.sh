#!/bin/bash
# Cuts a release (docs/RELEASING.md): scripts/release.sh [--dry-run] X.Y.Z
#
#   1. checks: X.Y.Z is a semantic version (MAJOR.MINOR.PATCH, digits only: CMake's
#      project(VERSION) takes nothing else) above the newest vX.Y.Z tag and not below the
#      version in CMakeLists.txt; the work tree is clean; tag vX.Y.Z does not exist
#   2. sets the version in its one place, project(... VERSION X.Y.Z) in CMakeLists.txt
#      (everything else - lln --version, liblln.so's name, lln.pc, the CMake package, the
#      tarballs, the SBOM - takes it from there)
#   3. regenerates CHANGELOG.md (scripts/changelog.py: the commits since the previous tag,
#      by conventional-commit type; the others under "Other changes")
#   4. commits both as "chore(release): X.Y.Z"
#   5. runs the whole pipeline, .ci/run: every quality gate must pass
#   6. make dist DIST=build-ci/dist: tarballs, CycloneDX SBOM, SHA256SUMS; checks the sums
#      (sha256sum -c), the version in the source tarball, the SBOM and `lln --version` of the
#      binary tarball
#   7. creates the annotated tag vX.Y.Z (its message: the release's changelog section)
# Nothing is pushed: the script ends by printing the push command; pushing the tag starts
# .github/workflows/release.yml, which publishes the GitHub release. If a step fails, the
# release commit is taken back (git reset --keep) and no tag is made.
#
# Options:
#   --dry-run              do all of it in a temporary clone (build-ci/ of the clone, tag in the
#                          clone) and report; this repository is not touched. The clone is of
#                          HEAD: uncommitted changes are not in it (a real release would
#                          refuse them), unless
#   --include-uncommitted  (with --dry-run) the clone gets the work tree as it is, tracked
#                          and untracked files, committed there as one "wip" commit
#   --keep                 (with --dry-run) keep the clone (it is kept anyway on failure)
# For testing this script only - never for a real release, which refuses them:
#   RELEASE_SKIP_CI=1      skip step 5;  RELEASE_SKIP_DIST=1  skip step 6
set -euo pipefail

die() {
    echo "release: $*" >&2
    exit 1
}
say() { printf '\n=== release: %s\n' "$*"; }

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit "${1:-2}"
}

dry=0 include=0 keep=0 version=""
while [ $# -gt 0 ]; do
    case "$1" in
    --dry-run) dry=1 ;;
    --include-uncommitted) include=1 ;;
    --keep) keep=1 ;;
    -h | --help) usage 0 ;;
    -*) usage 2 ;;
    *)
        [ -z "$version" ] || usage 2
        version=$1
        ;;
    esac
    shift
done
[ -n "$version" ] || usage 2
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$'
[[ "$version" =~ $semver ]] ||
    die "'$version' is not a release version MAJOR.MINOR.PATCH (digits only, no leading zeros)"
if [ $dry -eq 0 ] && { [ $include -eq 1 ] || [ $keep -eq 1 ]; }; then
    die "--include-uncommitted and --keep go with --dry-run"
fi
tag=v$version
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# RELEASE_REPO: the repository to release (set by --dry-run for its clone).
root=${RELEASE_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "$root is not a git work tree"
[ "$(git rev-parse --show-toplevel)" = "$root" ] || die "$root is not the top of its repository"
for tool in git python3 make cmake sha256sum tar; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (scripts/deps.sh ci)"
done

# ---- dry run: the whole release in a temporary clone ---------------------------------------
if [ $dry -eq 1 ]; then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/lln-release-XXXXXX")
    clone=$tmp/$(basename "$root")
    dirty=$(git status --porcelain)
    say "dry run of $version in $clone"
    if [ -n "$dirty" ] && [ $include -eq 0 ]; then
        echo "WARNING: the work tree has uncommitted changes; a real release would refuse it."
        echo "         This dry run releases HEAD ($(git rev-parse --short HEAD)) without them"
        echo "         (--include-uncommitted rehearses with them)."
    fi
    branch=$(git symbolic-ref -q --short HEAD || true)
    git clone -q --no-hardlinks "$root" "$clone"
    if [ -n "$branch" ]; then
        git -C "$clone" checkout -q -B "$branch" "$(git rev-parse HEAD)"
    else
        git -C "$clone" checkout -q --detach "$(git rev-parse HEAD)"
    fi
    # An identity for the clone's commit and tag if the user has none configured.
    git -C "$clone" config user.name >/dev/null || git -C "$clone" config user.name "release dry run"
    git -C "$clone" config user.email >/dev/null ||
        git -C "$clone" config user.email "release-dry-run@localhost"
    if [ $include -eq 1 ] && [ -n "$dirty" ]; then
        # Tracked and untracked (not ignored) files as they are in the work tree.
        git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do
                if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
            done |
            tar -C "$root" --null -T - -cf - | tar -C "$clone" -xf -
        git ls-files -z --deleted | (cd "$clone" && xargs -0 -r rm -f --)
        git -C "$clone" add -A
        git -C "$clone" commit -q --no-verify -m "wip: uncommitted changes of the work tree (release dry run)"
        echo "the clone includes the uncommitted changes as one commit"
    fi
    # The reference material beside the repository, as CI has it.
    if [ -d "$root/../shared" ]; then
        ln -s "$(cd "$root/../shared" && pwd)" "$tmp/shared"
    fi
    # The clone's own release script rehearses exactly what a release of it would do.
    script=$clone/scripts/release.sh
    if [ ! -f "$script" ]; then
        echo "note: the clone has no scripts/release.sh: using $self"
        script=$self
    fi
    status=0
    RELEASE_REPO=$clone RELEASE_DRY_RUN_OF=$root bash "$script" "$version" || status=$?
    say "dry run summary"
    echo "clone: $clone"
    git -C "$clone" log --oneline --decorate -n 3 | sed 's/^/  /'
    if git -C "$clone" rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
        echo "tag $tag (in the clone):"
        git -C "$clone" for-each-ref --format='%(contents)' "refs/tags/$tag" | sed 's/^/  | /'
        echo "commit $(git -C "$clone" rev-parse --short HEAD) changes:"
        git -C "$clone" show --stat --format= HEAD | sed 's/^/  /'
    fi
    if [ -d "$clone/build-ci/dist" ]; then
        echo "artifacts (build-ci/dist of the clone):"
        find "$clone/build-ci/dist" -maxdepth 1 -type f -printf '  %10s  %f\n' | sort -k2
    fi
    if [ $status -eq 0 ]; then
        if [ $keep -eq 1 ]; then
            echo "kept: $tmp  (remove with: rm -rf $tmp)"
        else
            rm -rf "$tmp"
            echo "clone removed"
        fi
        echo "dry run of $version: PASS (nothing in $root was changed)"
    else
        echo "dry run of $version: FAIL (status $status); the clone is kept for a look:"
        echo "  $tmp  (remove with: rm -rf $tmp)"
    fi
    exit $status
fi

# ---- the release ---------------------------------------------------------------------------
if [ -z "${RELEASE_DRY_RUN_OF:-}" ] &&
    { [ -n "${RELEASE_SKIP_CI:-}" ] || [ -n "${RELEASE_SKIP_DIST:-}" ]; }; then
    die "RELEASE_SKIP_CI / RELEASE_SKIP_DIST are for testing this script (with --dry-run) only"
fi

say "checks for $version"
[ -z "$(git status --porcelain)" ] ||
    die "the work tree has uncommitted changes (git status): commit or stash them first"
git rev-parse -q --verify "refs/tags/$tag" >/dev/null && die "tag $tag exists already"
latest=$(git tag --list 'v*' | sed -n 's/^v//p' | grep -E "$semver" | sort -V | tail -n 1 || true)
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]; }
if [ -n "$latest" ] && ! newer "$version" "$latest"; then
    die "$version is not above the latest release v$latest"
fi
current=$(bash scripts/version.sh "$root")
if newer "$current" "$version"; then
    die "$version is below the version in CMakeLists.txt ($current)"
fi
branch=$(git symbolic-ref -q --short HEAD || echo "(detached HEAD)")
[ "$branch" = main ] || echo "note: releasing from $branch, not main"
git var GIT_COMMITTER_IDENT >/dev/null 2>&1 ||
    die "git has no identity: git config user.name ...; git config user.email ..."
echo "version $current -> $version; previous release: ${latest:+v}${latest:-none}; branch $branch"

orig=$(git rev-parse HEAD)
committed=0
tagged=0
undo() {
    local rc=$?
    [ $rc -eq 0 ] && return
    [ $tagged -eq 1 ] && return
    if [ $committed -eq 1 ]; then
        echo "release: failed; taking back the release commit (git reset --keep $orig)" >&2
        git reset -q --keep "$orig" ||
            echo "release: could not reset; do it by hand: git reset --keep $orig" >&2
    else
        git checkout -q -- CMakeLists.txt 2>/dev/null || true
        if git cat-file -e "$orig:CHANGELOG.md" 2>/dev/null; then
            git checkout -q -- CHANGELOG.md
        else
            rm -f CHANGELOG.md
        fi
    fi
}
trap undo EXIT

say "version $version in CMakeLists.txt"
sed -E -i "0,/^([[:space:]]*project\\([^)]*VERSION[[:space:]]+)[0-9]+\\.[0-9]+\\.[0-9]+/s//\\1$version/" \
    CMakeLists.txt
[ "$(bash scripts/version.sh "$root")" = "$version" ] || die "could not set the version in CMakeLists.txt"
changed=$(git diff --numstat -- CMakeLists.txt | awk '{print $1 + $2}')
[ -z "$changed" ] || [ "$changed" = 2 ] || die "setting the version changed more than one line"
git diff -- CMakeLists.txt | sed -n 's/^[-+][^-+]/  &/p'

say "CHANGELOG.md"
python3 scripts/changelog.py --version "$version"
section=$(awk -v v="## [$version]" 'index($0, v) == 1 {on = 1; next} on && /^## \[/ {exit} on' \
    CHANGELOG.md)
printf '%s\n' "$section" | sed -n '1,40p'

say "commit"
git add CMakeLists.txt CHANGELOG.md
git commit -q -m "chore(release): $version" \
    -m "Version $version in CMakeLists.txt; CHANGELOG.md regenerated by scripts/changelog.py."
committed=1
git log --oneline -n 1

if [ -n "${RELEASE_SKIP_CI:-}" ]; then
    say "RELEASE_SKIP_CI: the pipeline is NOT run (testing the script only)"
else
    say "the whole pipeline (.ci/run)"
    bash .ci/run || die ".ci/run failed: no release (gate table above; logs in build-ci/logs)"
    dirt=$(git status --porcelain)
    [ -z "$dirt" ] || die "the pipeline changed tracked files (commit what it regenerates first):
$dirt"
fi

dist=build-ci/dist
if [ -n "${RELEASE_SKIP_DIST:-}" ]; then
    say "RELEASE_SKIP_DIST: no artifacts (testing the script only)"
else
    say "artifacts (make dist DIST=$dist)"
    make --no-print-directory dist DIST="$dist" || die "make dist failed"
    [ -f "$dist/SHA256SUMS" ] || die "no $dist/SHA256SUMS"
    (cd "$dist" && sha256sum -c SHA256SUMS) || die "checksums do not match"
    src="liquid-edge-$version.tar.gz" sbom="liquid-edge-$version.cdx.json"
    for f in "$src" "$sbom"; do
        grep -q "  $f\$" "$dist/SHA256SUMS" || die "$f is not in SHA256SUMS"
    done
    bin=$(sed -n "s/^[0-9a-f]\\{64\\}  \\(liquid-edge-$version-.*\\.tar\\.gz\\)\$/\\1/p" \
        "$dist/SHA256SUMS" | head -n 1)
    [ -n "$bin" ] || die "no binary tarball liquid-edge-$version-*.tar.gz in SHA256SUMS"
    tar -xzOf "$dist/$src" "liquid-edge-$version/CMakeLists.txt" |
        grep -Eq "^[[:space:]]*project\\([^)]*VERSION[[:space:]]+$version([^0-9.]|\$)" ||
        die "the source tarball does not hold version $version"
    python3 - "$dist/$sbom" "$version" <<'PY' || die "the SBOM does not describe liquid-edge $version"
import json, sys
doc = json.load(open(sys.argv[1]))
comp = doc.get("metadata", {}).get("component", {})
assert doc.get("bomFormat") == "CycloneDX", "not CycloneDX"
assert comp.get("version") == sys.argv[2], "metadata.component.version is %r" % comp.get("version")
print("SBOM: CycloneDX %s, %s %s, %d components" % (doc.get("specVersion"), comp.get("name"),
      comp.get("version"), len(doc.get("components", []))))
PY
    unpack=$(mktemp -d)
    tar -C "$unpack" -xzf "$dist/$bin"
    lln=$(find "$unpack" -path '*/bin/lln' -type f | head -n 1)
    got=""
    if [ -n "$lln" ]; then got=$("$lln" --version 2>&1 || true); fi
    rm -rf "$unpack"
    [[ "$got" == *"$version"* ]] || die "lln --version of $bin says '$got', not $version"
    echo "binary: $got"
fi

say "tag $tag"
{
    echo "liquid-edge $version"
    echo
    printf '%s\n' "$section" | sed '/./,$!d'
} | git tag -a "$tag" -F - --cleanup=verbatim
tagged=1
git log --oneline --decorate -n 1

say "released $version locally"
cat <<EOF
The tag and commit are local. To publish (the release workflow builds, checks and uploads):
  git push origin $branch $tag
Artifacts here: $root/$dist (see docs/RELEASING.md to verify them).
EOF
