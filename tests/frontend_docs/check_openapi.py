#!/usr/bin/env python3
"""frontend/openapi.yaml read three ways must agree, and be valid OpenAPI 3.1.

usage: check_openapi.py SOURCE_DIR [NODE]

1. PyYAML (a full YAML parser) loads it; openapi-spec-validator, when installed,
   validates it as OpenAPI 3.1.
2. With NODE (a node binary), the YAML-subset parser of frontend/docs.html (the code
   between its yaml-subset markers) reads it too, and must give exactly what PyYAML
   gives: the /docs page shows what the file says.
3. With NODE, the page's whole script runs against a stub DOM and a stub fetch that
   serves the file: it must render every operation (by operationId) and no error.
Exit 77 (ctest: skipped) when PyYAML is missing.
"""
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    source = sys.argv[1]
    node = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    try:
        import yaml
    except ImportError:
        print("PyYAML is not installed: skipped")
        return SKIP
    path = os.path.join(source, "frontend", "openapi.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = yaml.safe_load(text)
    assert isinstance(doc, dict), "the document is not a mapping"
    assert str(doc.get("openapi", "")).startswith("3.1."), "openapi is not 3.1.x"
    json.dumps(doc)  # only JSON types: no dates, no non-string keys
    for p, item in doc["paths"].items():
        for code in (r for op in item.values() if isinstance(op, dict)
                     for r in op.get("responses", {})):
            assert isinstance(code, str), f"{p}: response code {code!r} is not a string"
    try:
        from openapi_spec_validator import validate
    except ImportError:
        print("openapi-spec-validator is not installed: structural checks only")
    else:
        validate(doc)
        print("openapi-spec-validator: valid OpenAPI 3.1")

    if not node:
        print("node not found: the /docs parser was not compared")
        return 0
    with open(os.path.join(source, "frontend", "docs.html"), encoding="utf-8") as f:
        html = f.read()
    begin = html.index("/* yaml-subset:begin */")
    end = html.index("/* yaml-subset:end */")
    js = html[begin:end] + """
const fs = require('fs');
process.stdout.write(JSON.stringify(parseYamlSubset(fs.readFileSync(process.argv[2], 'utf8'))));
"""
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as tmp:
        tmp.write(js)
    try:
        out = subprocess.run([node, tmp.name, path], check=True, capture_output=True, text=True)
    finally:
        os.unlink(tmp.name)
    mine = json.loads(out.stdout)
    if mine != doc:
        diff(doc, mine, "$", [20])
        return 1
    print("the /docs parser reads openapi.yaml exactly as PyYAML does")
    return render(node, html, text, doc)


# Just enough DOM for docs.html's script: elements by id, fetch, location.
STUB = """
const els = {};
globalThis.document = {
  title: '',
  getElementById(id) { return els[id] = els[id] || { id, innerHTML: '', textContent: '' }; },
};
globalThis.location = { hash: '' };
globalThis.window = { addEventListener() {} };
globalThis.fetch = () => Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve(YAML) });
"""


def render(node, html, text, doc):
    """Runs the page's script; every operation must appear in what it renders."""
    start = html.index("<script>") + len("<script>")
    script = html[start:html.index("</script>", start)]
    js = "const YAML = " + json.dumps(text) + ";\n" + STUB + script + """
setTimeout(() => process.stdout.write(JSON.stringify({
  error: els.error ? els.error.textContent : '',
  ops: els.ops ? els.ops.innerHTML : '',
  nav: els.nav ? els.nav.innerHTML : '',
})), 100);
"""
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as tmp:
        tmp.write(js)
    try:
        out = subprocess.run([node, tmp.name], check=True, capture_output=True, text=True)
    finally:
        os.unlink(tmp.name)
    page = json.loads(out.stdout)
    assert not page["error"], "the page shows an error: " + page["error"]
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op]
    missing = [i for i in ids if f'<span class="mono">{i}</span>' not in page["ops"]]
    assert not missing, f"not rendered: {missing}"
    for tag in doc["tags"]:
        assert f'id="tag-{tag["name"]}"' in page["ops"], f"tag {tag['name']} not rendered"
    print(f"the /docs page renders all {len(ids)} operations")
    return 0


def diff(a, b, where, budget):
    """Prints the first differences between PyYAML's reading (a) and the page's (b)."""
    if budget[0] <= 0:
        return
    if type(a) != type(b):
        budget[0] -= 1
        print(f"{where}: PyYAML {a!r} / docs.html {b!r}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                budget[0] -= 1
                print(f"{where}.{k}: only in {'PyYAML' if k in a else 'docs.html'}")
            else:
                diff(a[k], b[k], f"{where}.{k}", budget)
    elif isinstance(a, list) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{where}[{n}]", budget)
    elif a != b:
        budget[0] -= 1
        print(f"{where}: PyYAML {a!r} / docs.html {b!r}")


if __name__ == "__main__":
    sys.exit(main())
