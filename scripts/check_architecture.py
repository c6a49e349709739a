#!/usr/bin/env python3
"""Holds docs/architecture.md's module table against the code:

- every `ck_*` library the CMake files define is in the table, in the folder the table names, and
  every module of the table exists;
- a module's `target_link_libraries` name only `ck_*` modules its row allows ("may use");
- a product source file includes only headers of its own module or of modules it may use, directly
  or through them (so nothing under offline-cache/ or kiosk/ includes hub/).

Prints every breach as FILE:LINE: what, and exits 1 if there is one.
"""
import os
import re
import subprocess
import sys

DOC = "docs/architecture.md"
FOLDERS = ("base", "offline-cache", "scanner", "kiosk", "tools", "hub")


def read_table():
    rows = {}
    with open(DOC, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 4 or not re.fullmatch(r"ck_\w+", cells[0]):
                continue
            folder = cells[1].strip("`").rstrip("/")
            uses = set(re.findall(r"ck_\w+", cells[3]))
            rows[cells[0]] = {"folder": folder, "uses": uses, "line": number}
    return rows


def cmake_targets():
    """{target: (cmake file, line, folder of the file)} and {target: [(dep, file, line)]}."""
    libs, links = {}, {}
    files = subprocess.run(["git", "ls-files", "--", *[f"{d}/*CMakeLists.txt" for d in FOLDERS],
                            *[f"{d}/CMakeLists.txt" for d in FOLDERS]],
                           check=True, capture_output=True, text=True).stdout.split()
    for path in sorted(set(files)):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"add_library\(\s*(ck_\w+)\s+([^)]*)\)", text):
            if "INTERFACE" in m.group(2).split()[:1]:
                continue
            line = text.count("\n", 0, m.start()) + 1
            sources = [s for s in m.group(2).split() if s.endswith(".cc")]
            folder = os.path.dirname(path)
            if sources:
                common = os.path.commonpath([os.path.join(folder, s) for s in sources])
                # A library's folder: where its sources are, up to the folder before src/.
                parts = common.split(os.sep)
                if "src" in parts:
                    parts = parts[:parts.index("src")]
                elif common.endswith(".cc"):
                    parts = parts[:-1]
                folder = os.sep.join(parts)
            libs[m.group(1)] = (path, line, folder)
        for m in re.finditer(r"target_link_libraries\(\s*(ck_\w+)\s+([^)]*)\)", text):
            line = text.count("\n", 0, m.start()) + 1
            deps = [d for d in re.findall(r"\bck_\w+", m.group(2)) if d != "ck_warnings"]
            links.setdefault(m.group(1), []).extend((d, path, line) for d in deps)
    return libs, links


def closure(rows, module):
    seen, todo = set(), [module]
    while todo:
        for dep in rows.get(todo.pop(), {}).get("uses", ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def include_owners(rows):
    """{include prefix: module}: the folders under each module's include/ directory."""
    owners = {}
    for module, row in rows.items():
        inc = os.path.join(row["folder"], "include")
        if os.path.isdir(inc):
            for name in os.listdir(inc):
                if os.path.isdir(os.path.join(inc, name)):
                    owners[name] = module
    return owners


def module_of(rows, path):
    best = None
    for module, row in rows.items():
        folder = row["folder"] + "/"
        if path.startswith(folder) and (best is None or len(folder) > len(rows[best]["folder"])):
            best = module
    return best


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    rows = read_table()
    libs, links = cmake_targets()
    problems = []
    for module, (path, line, folder) in sorted(libs.items()):
        if module not in rows:
            problems.append(f"{path}:{line}: {module} is not in {DOC}'s module table")
        elif not (folder + "/").startswith(rows[module]["folder"] + "/"):
            problems.append(f"{path}:{line}: {module} lives in {folder}/, the table says "
                            f"{rows[module]['folder']}/")
    for module, row in sorted(rows.items()):
        if module not in libs:
            problems.append(f"{DOC}:{row['line']}: {module} is not a library of the build")
    for module, deps in sorted(links.items()):
        if module not in rows:
            continue
        for dep, path, line in deps:
            if dep not in rows[module]["uses"]:
                problems.append(f"{path}:{line}: {module} links {dep}, which its row in {DOC} "
                                f"does not allow")
    owners = include_owners(rows)
    sources = subprocess.run(["git", "ls-files", "--", *FOLDERS], check=True, capture_output=True,
                             text=True).stdout.split()
    for path in sources:
        if not path.endswith((".cc", ".h")) or not os.path.exists(path):
            continue
        module = module_of(rows, path)
        if module is None:
            continue  # programs (main.cc, tools/) may use everything
        allowed = closure(rows, module) | {module}
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s+"([^"/]+)/', line)
                if not m or m.group(1) not in owners:
                    continue
                owner = owners[m.group(1)]
                if owner not in allowed:
                    problems.append(f"{path}:{number}: {module} includes {m.group(1)}/ of "
                                    f"{owner}, which it may not use")
    for p in problems:
        print(p)
    if problems:
        print(f"check_architecture: {len(problems)} breach(es)", file=sys.stderr)
        return 1
    print(f"check_architecture: {len(libs)} modules and their includes match {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
