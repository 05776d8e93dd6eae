#!/usr/bin/env python3
"""Generate CHANGELOG.md from the git history (conventional commits).

Every release tag vX.Y.Z gets a section with the commits since the previous release tag;
commits after the newest tag form the "Unreleased" section, or, with --version, the section of
the release being made. Conventional commit subjects (`type(scope)!: text`) are sorted into
sections by type; `BREAKING CHANGE:` / `BREAKING-CHANGE:` footers and `!` are collected at the
top of their release; subjects that are not conventional go under "Other changes". Merge
commits and the release commits themselves (`chore(release): ...`) are left out.

The file is regenerated whole from git each time: write what users need to know in the
commit messages, not in CHANGELOG.md.

Usage:
    scripts/changelog.py [-o CHANGELOG.md] [--version X.Y.Z] [--date YYYY-MM-DD]
    scripts/changelog.py --check      exit 1 if CHANGELOG.md differs from what would be written
Standard library only; needs git.
"""

import argparse
import datetime as dt
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

SECTIONS = [  # conventional type -> heading, in the order they are printed
    ("feat", "Features"),
    ("fix", "Bug fixes"),
    ("perf", "Performance"),
    ("refactor", "Refactoring"),
    ("docs", "Documentation"),
    ("test", "Tests"),
    ("build", "Build system"),
    ("ci", "Continuous integration"),
    ("chore", "Chores"),
]
OTHER = "Other changes"
TYPES = {t for t, _ in SECTIONS}
# Types that are conventional but have no section of their own go to "Other changes" with
# their prefix kept (style, revert, wip, ...).
RE_SUBJECT = re.compile(r"^(?P<type>[a-zA-Z]+)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?: "
                        r"(?P<text>\S.*)$")
RE_BREAKING = re.compile(r"^BREAKING[ -]CHANGE: ?(?P<text>.*)$")
RE_RELEASE = re.compile(r"^chore\(release\)!?: ")
RE_TAG = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def release_tags():
    """[(tag, (major, minor, patch))] of the vX.Y.Z tags, oldest version first."""
    tags = []
    for tag in git("tag", "--list", "v*").split():
        m = RE_TAG.match(tag)
        if m:
            tags.append((tag, tuple(int(x) for x in m.groups())))
    return sorted(tags, key=lambda t: t[1])


def tag_date(tag):
    # The tagger date of an annotated tag, else the commit date; as a UTC day.
    stamp = git("for-each-ref", "--format=%(creatordate:unix)", "refs/tags/" + tag).strip()
    return dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc).strftime("%Y-%m-%d")


def commits(rev_range):
    """[(short sha, subject, body)] of REV_RANGE, newest first, merges left out."""
    sep, end = "\x1f", "\x1e"
    out = git("log", "--no-merges", "--format=%h" + sep + "%s" + sep + "%b" + end, rev_range)
    result = []
    for rec in out.split(end):
        rec = rec.strip("\n")
        if not rec:
            continue
        sha, subject, body = (rec.split(sep) + ["", ""])[:3]
        result.append((sha, subject.strip(), body))
    return result


def classify(sha, subject, body):
    """(section heading, entry text, [breaking notes]) of one commit, or None to leave out."""
    if RE_RELEASE.match(subject):
        return None
    breaking = []
    for line in body.splitlines():
        m = RE_BREAKING.match(line.strip())
        if m and m.group("text").strip():
            breaking.append(m.group("text").strip())
    m = RE_SUBJECT.match(subject)
    if m and m.group("type").lower() in TYPES:
        kind = m.group("type").lower()
        heading = dict(SECTIONS)[kind]
        scope = m.group("scope")
        text = ("**%s:** %s" % (scope, m.group("text"))) if scope else m.group("text")
        if m.group("bang") and not breaking:
            breaking.append(text)
    else:
        heading, text = OTHER, subject
        if m and m.group("bang") and not breaking:
            breaking.append(subject)
    return heading, "%s (%s)" % (text, sha), ["%s (%s)" % (b, sha) for b in breaking]


def escape(text):
    # Keep commit text from turning into Markdown structure at the start of a list item.
    return re.sub(r"^([#>])", r"\\\1", text)


def section(title, entries):
    """Markdown lines of one release from its commits (newest first)."""
    lines = ["## " + title, ""]
    grouped, breaking = {}, []
    for sha, subject, body in entries:
        c = classify(sha, subject, body)
        if c is None:
            continue
        heading, text, notes = c
        grouped.setdefault(heading, []).append(text)
        breaking.extend(notes)
    if not grouped:
        return lines + ["No changes.", ""]
    if breaking:
        lines += ["### ⚠ Breaking changes", ""] + ["- " + escape(b) for b in breaking] + [""]
    for heading in [h for _, h in SECTIONS] + [OTHER]:
        if heading in grouped:
            lines += ["### " + heading, ""] + ["- " + escape(t) for t in grouped[heading]]
            lines.append("")
    return lines


def generate(version=None, date=None):
    tags = release_tags()
    head = git("rev-parse", "--verify", "-q", "HEAD").strip()
    lines = ["# Changelog", "",
             "All notable changes of liquid-edge, by release, newest first; versions follow",
             "[Semantic Versioning](https://semver.org). Generated by `scripts/changelog.py`"
             " from the",
             "commit messages ([Conventional Commits](https://www.conventionalcommits.org)):"
             " do not edit",
             "by hand; `scripts/release.sh` regenerates it for each release.", ""]
    body = []
    prev = None
    for tag, _ in tags:
        rng = tag if prev is None else "%s..%s" % (prev, tag)
        body.append(section("[%s] - %s" % (tag[1:], tag_date(tag)), commits(rng)))
        prev = tag
    if head:
        rng = "HEAD" if prev is None else "%s..HEAD" % prev
        pending = commits(rng)
        if version:
            day = date or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
            body.append(section("[%s] - %s" % (version, day), pending))
        elif pending:
            body.append(section("[Unreleased]", pending))
    for part in reversed(body):  # newest release first
        lines += part
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", default=os.path.join(ROOT, "CHANGELOG.md"))
    ap.add_argument("--version", help="title the commits since the last tag as this release")
    ap.add_argument("--date", help="date of that release (default: today, UTC)")
    ap.add_argument("--check", action="store_true", help="only compare with the file")
    ap.add_argument("--stdout", action="store_true", help="print instead of writing")
    args = ap.parse_args(argv)
    if args.version and not RE_TAG.match("v" + args.version):
        ap.error("--version must be X.Y.Z")
    text = generate(args.version, args.date)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                same = f.read() == text
        except OSError:
            same = False
        if not same:
            print("%s is not what scripts/changelog.py generates" % args.output)
        return 0 if same else 1
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
