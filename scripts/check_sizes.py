#!/usr/bin/env python3
"""Checks the size rules of the source tree (docs/architecture.md):

- no source file under the product folders over 500 lines;
- no function body over 80 lines unless a comment within the 3 lines above its signature says why,
  starting with "Long:" (e.g. `// Long: one table of every verdict, read top to bottom.`).

Prints every breach as FILE:LINE: what, and exits 1 if there is one. Functions are found lexically
(comments and literals blanked, braces matched): good enough for a gate on this tree's style.

  scripts/check_sizes.py [FILE...]     (default: every .cc/.h under the product folders)
"""
import os
import re
import subprocess
import sys

FOLDERS = ("base", "offline-cache", "scanner", "kiosk", "tools", "hub")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80


def blank_comments_and_literals(text):
    """Replaces comments, string and character literals by spaces, keeping every newline."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = ")" + m.group(1) + '"'
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            # A digit separator (1'000'000) is not a character literal.
            if c == "'" and i > 0 and text[i - 1].isalnum() and j - i > 3:
                out.append(c)
                i += 1
                continue
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """Yields (start_line, end_line) of every outermost function body."""
    code = blank_comments_and_literals(text)
    # Preprocessor lines never open or close a body.
    code = re.sub(r"(?m)^[ \t]*#.*$", lambda m: " " * len(m.group(0)), code)
    stack = []  # kinds: "scope" (namespace/class), "function", "other"
    last_stop = 0
    line = 1
    in_function_depth = None
    for idx, ch in enumerate(code):
        if ch == "\n":
            line += 1
        elif ch == ";" and in_function_depth is None:
            last_stop = idx + 1
        elif ch == "{":
            if in_function_depth is not None:
                stack.append(("other", line))
                continue
            head = code[last_stop:idx]
            if re.search(r"\b(namespace|class|struct|union|enum)\b", head) or re.search(
                    r'extern\s*$', head):
                kind = "scope" if ")" not in head.split("=")[0] or re.search(
                    r"\b(namespace|class|struct|union)\b[^()]*$", head) else "function"
            elif ")" in head and not re.search(r"=\s*$", head):
                kind = "function"
            else:
                kind = "other"
            if kind == "function":
                in_function_depth = len(stack)
                start = line - head.count("\n")
                stack.append(("function", start))
            else:
                stack.append((kind, line))
            last_stop = idx + 1
        elif ch == "}":
            if not stack:
                continue
            kind, start = stack.pop()
            if kind == "function" and in_function_depth == len(stack):
                in_function_depth = None
                yield start, line
            if in_function_depth is None:
                last_stop = idx + 1


def has_reason(lines, start):
    for k in range(max(0, start - 4), start):
        if re.search(r"//\s*Long:", lines[k]):
            return True
    # A function found right after a closing brace starts on that brace's line: its comment block
    # follows.
    k = start
    while k < len(lines) and (not lines[k].strip() or lines[k].strip().startswith("//")
                              or lines[k].strip() in ("}", "};")):
        if re.search(r"//\s*Long:", lines[k]):
            return True
        k += 1
    return False


def check(path):
    problems = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    count = len(lines) - (1 if text.endswith("\n") else 0)
    if count > MAX_FILE_LINES:
        problems.append(f"{path}:1: {count} lines (at most {MAX_FILE_LINES})")
    for start, end in functions(text):
        length = end - start + 1
        if length > MAX_FUNCTION_LINES and not has_reason(lines, start - 1):
            problems.append(f"{path}:{start}: function of {length} lines (at most "
                            f"{MAX_FUNCTION_LINES}, or a '// Long: why' comment above it)")
    return problems


def main(argv):
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    files = argv[1:]
    if not files:
        listed = subprocess.run(["git", "ls-files", "--", *FOLDERS], check=True,
                                capture_output=True, text=True).stdout.split()
        files = [f for f in listed if f.endswith((".cc", ".h")) and os.path.exists(f)]
    problems = [p for f in files for p in check(f)]
    for p in problems:
        print(p)
    if problems:
        print(f"check_sizes: {len(problems)} breach(es)", file=sys.stderr)
        return 1
    print(f"check_sizes: {len(files)} files within the limits")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
