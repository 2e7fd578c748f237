#!/usr/bin/env python3
"""One-off migration helper (not part of the build): adds @Tag("<rule id>") lines before every @DisplayName / @ParameterizedTest(name=...) that cites rule ids.
Mechanical: display names stay as they are; one import line added where needed.
Run from the repository root after merging tests that cite rule ids only in their display names:
    python3 tools/tag-rules.py .
The build (module conformance) reports any display name whose ids are not tagged."""
import pathlib, re, sys
root = pathlib.Path(sys.argv[1])
rules = set(re.findall(r"^- \*\*([A-Z]{1,3}\d{1,2})\*\*", (root/"docs/rules.md").read_text(), re.M))
display = re.compile(r'@(?:DisplayName|ParameterizedTest)\(\s*(?:name\s*=\s*)?"((?:[^"\\]|\\.)*)"')
def cited(name):
    ids = set(re.findall(r"\b([A-Z]{1,3}\d{1,2})\b", name))
    for p, lo, p2, hi in re.findall(r"\b([A-Z]{1,3})(\d{1,2})\s*[-–]\s*([A-Z]{0,3})(\d{1,2})\b", name):
        if p2 in ("", p) and int(lo) < int(hi) <= int(lo) + 40:
            ids.update(f"{p}{n}" for n in range(int(lo), int(hi) + 1))
    return ids
def key(r):
    m = re.match(r"([A-Z]+)(\d+)", r); return (m.group(1), int(m.group(2)))
unknown = {}
files = sorted(f for f in root.glob("*/src/test/java/**/*.java") if not str(f.relative_to(root)).startswith("conformance/")) + sorted(root.glob("jangle-test/src/main/java/**/*.java"))
changed = 0
for f in files:
    lines = f.read_text(encoding="utf-8").split("\n")
    out = []; touched = False
    i = 0
    while i < len(lines):
        line = lines[i]
        d = display.search(line)
        if d and not line.lstrip().startswith("//") and not line.lstrip().startswith("*"):
            name = d.group(1); j = i + 1
            while j < len(lines) and lines[j].strip().startswith('+ "'):
                name += re.search(r'"((?:[^"\\]|\\.)*)"', lines[j]).group(1); j += 1
            ids = cited(name)
            bad = {x for x in ids if x not in rules}
            for x in bad: unknown.setdefault(x, []).append(f"{f.relative_to(root)}:{i+1}")
            ids -= bad
            indent = line[:len(line) - len(line.lstrip())]
            # don't duplicate tags already present just above
            k = len(out)
            while k > 0 and out[k - 1].strip().startswith("@"):
                k -= 1
            prev = set(re.findall(r'@Tag\("([^"]+)"\)', "\n".join(out[k:])))
            for r in sorted(ids - prev, key=key):
                out.append(f'{indent}@Tag("{r}")'); touched = True
        out.append(line); i += 1
    if touched:
        text = "\n".join(out)
        if "import org.junit.jupiter.api.Tag;" not in text:
            m = re.search(r"^import org\.junit\.jupiter\.api\.[A-Z]\w*;$", text, re.M)
            anchor = None
            imps = list(re.finditer(r"^import org\.junit\.jupiter\.api\.(\w+);$", text, re.M))
            # keep alphabetical order among org.junit.jupiter.api imports
            after = [m for m in imps if m.group(1) < "Tag"]
            if after: pos = after[-1].end(); text = text[:pos] + "\nimport org.junit.jupiter.api.Tag;" + text[pos:]
            elif imps: pos = imps[0].start(); text = text[:pos] + "import org.junit.jupiter.api.Tag;\n" + text[pos:]
            else:
                pos = re.search(r"^package .*;$", text, re.M).end(); text = text[:pos] + "\n\nimport org.junit.jupiter.api.Tag;" + text[pos:]
        f.write_text(text, encoding="utf-8"); changed += 1
print("files changed", changed)
for k, v in sorted(unknown.items()): print("NOT A RULE", k, v[:3])
