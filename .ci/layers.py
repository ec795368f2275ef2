#!/usr/bin/env python3
"""The house rules of src/, checked over every `crate::`, `super::` and `nines::` path (tests excepted):

1. Layers: each top folder of the library has a rank (LAYERS below, bottom first); a file may use its own
   layer and those below it, never one above.
2. No circles between files: siblings (and cousins) in a layer may use each other in one direction only. A
   folder's front file (mod.rs) may use its own files, and they may use it; that pair is the folder's
   parent/child relation, not a circle.
3. The command line (src/cli/) is the binary: it may use the whole library, and the library never uses it.
4. No source file over MAX_LINES lines, not counting its test module.

Exits 1 with every violation listed; prints the layer graph with --graph.
"""

import os
import re
import sys
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
LAYERS = ["base", "model", "scenario", "engine", "estimate", "analyses", "write"]
MAX_LINES = 800

PATH = re.compile(r"\b(crate|super|self|nines)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\buse\s+(crate|super|nines)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{")


def rust_files():
    out = []
    for d, _, fs in os.walk(ROOT):
        for f in fs:
            if f.endswith(".rs"):
                out.append(os.path.relpath(os.path.join(d, f), ROOT).replace(os.sep, "/"))
    return sorted(out)


def strip_tests_and_comments(text):
    """The text without `#[cfg(test)]` items and comments, and the number of lines before the first."""
    text = re.sub(r"//[^\n]*", "", text)
    lines = text.split("\n")
    out, i, code_lines = [], 0, None
    while i < len(lines):
        if lines[i].strip().startswith("#[cfg(test)]"):
            if code_lines is None:
                code_lines = i
            depth, started = 0, False
            while i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                started = started or "{" in lines[i]
                i += 1
                if started and depth <= 0:
                    break
                if not started and lines[i - 1].rstrip().endswith(";"):
                    break
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out), code_lines if code_lines is not None else len(lines)


def module_of(rel):
    """src path → module path list: model/graph.rs → [model, graph]; model/mod.rs → [model]."""
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def resolve(mods, path):
    """Longest module path prefix that names a file."""
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in mods:
            return mods[tuple(path[:n])]
    return None


def expand_groups(text):
    """`use crate::a::{b, c::{d}}` → the paths crate::a::b, crate::a::c::d."""
    out = []
    for m in GROUP.finditer(text):
        start = m.end()
        depth, i = 1, start
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        body = text[start : i - 1]
        prefix = m.group(1) + m.group(2)

        def walk(prefix, body):
            items, depth, cur = [], 0, ""
            for ch in body:
                if ch == "," and depth == 0:
                    items.append(cur)
                    cur = ""
                    continue
                depth += {"{": 1, "}": -1}.get(ch, 0)
                cur += ch
            items.append(cur)
            for it in items:
                it = it.strip()
                if not it:
                    continue
                if "{" in it:
                    head, rest = it.split("{", 1)
                    walk(prefix + "::" + head.rstrip(":").strip(), rest.rsplit("}", 1)[0])
                else:
                    out.append(prefix + "::" + it.split(" as ")[0].strip())

        walk(prefix, body)
    return out


def main():
    files = rust_files()
    mods = {}
    for f in files:
        if f.startswith("cli/") or f == "main.rs":
            continue
        mods[tuple(module_of(f))] = f
    errors = []
    edges = defaultdict(set)
    for f in files:
        text = open(os.path.join(ROOT, f), encoding="utf-8").read()
        code, code_lines = strip_tests_and_comments(text)
        if code_lines > MAX_LINES:
            errors.append(f"src/{f}: {code_lines} lines before its tests (at most {MAX_LINES}): split it by meaning")
        binary = f.startswith("cli/") or f == "main.rs"
        here = module_of(f)
        paths = [m.group(1) + m.group(2) for m in PATH.finditer(code)] + expand_groups(code)
        for p in paths:
            parts = p.split("::")
            head, rest = parts[0], [x for x in parts[1:] if x not in ("self",)]
            if head == "crate":
                if binary:
                    continue  # the binary's own modules
                target = resolve(mods, rest)
            elif head == "nines":
                if not binary:
                    continue
                target = resolve(mods, rest)
            elif head == "super":
                if binary:
                    continue
                base = here[:-1] if not f.endswith("mod.rs") else here[:-1]
                while rest and rest[0] == "super":
                    base, rest = base[:-1], rest[1:]
                target = resolve(mods, base + rest)
            else:
                continue
            if target is None or target == f:
                continue
            edges[f].add(target)
    for f, targets in edges.items():
        if f.startswith("cli/") or f == "main.rs":
            continue
        for t in targets:
            if t.startswith("cli/"):
                errors.append(f"src/{f} uses the command line (src/{t}): the library never does")
                continue
            lf, lt = f.split("/")[0], t.split("/")[0]
            if lf in LAYERS and lt in LAYERS and LAYERS.index(lt) > LAYERS.index(lf):
                errors.append(f"src/{f} ({lf}) uses src/{t} ({lt}), a layer above it")
            if lf not in LAYERS and f != "lib.rs":
                errors.append(f"src/{f} is in no layer (folders: {', '.join(LAYERS)}, cli)")
    # Circles between library files, leaving out a front file's use of its own folder.
    def is_front_of(a, b):
        return a.endswith("mod.rs") and b.startswith(a[: -len("mod.rs")])

    graph = {
        f: {t for t in ts if not is_front_of(f, t) and not is_front_of(t, f)}
        for f, ts in edges.items()
        if not (f.startswith("cli/") or f in ("main.rs", "lib.rs"))
    }
    colour, stack = {}, []

    def dfs(u):
        colour[u] = 1
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if colour.get(v) == 1:
                cyc = stack[stack.index(v) :] + [v]
                errors.append("circle: " + " -> ".join("src/" + x for x in cyc))
            elif colour.get(v) is None:
                dfs(v)
        stack.pop()
        colour[u] = 2

    for f in sorted(graph):
        if colour.get(f) is None:
            dfs(f)
    if "--graph" in sys.argv:
        for f in sorted(edges):
            print(f, "->", ", ".join(sorted(edges[f])))
    if errors:
        print(f"{len(errors)} violation(s) of the house rules (.ci/layers.py):")
        for e in sorted(set(errors)):
            print("  " + e)
        return 1
    print(f"layers: {len(files)} files, imports run downward, no circles, none over {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
