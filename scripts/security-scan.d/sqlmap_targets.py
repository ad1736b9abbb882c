#!/usr/bin/env python3
"""The sqlmap targets: every query, path and JSON-body parameter of every operation of the
served OpenAPI document, each with values that reach the handler.

Usage: sqlmap_targets.py OPENAPI_JSON FIXTURES_JSON quick|full TARGETS_OUT

One target is one request and one injection point in it (sqlmap's `*` marker): a path segment,
a query parameter, or one leaf of the JSON body (nested objects and arrays included). The other
values are the example's (from setup.py's fixtures: values known to reach the handler, and the
principal allowed to call the operation), else derived from the schema (enum, format, pattern,
bounds). The filter language of record lists gets one target per kind of literal (text,
number, date, sensitive field through its blind index) with the marker inside the literal,
where a string-built query would break, and — in full mode — one at the field name.

Records are scanned as several principals, since each has its own query: staff in a
department (sales), a department lead who reads sensitive fields (finance), a customer (their
own records), and the owner (all departments). Quick mode keeps staff and customer.

Not scanned (listed in the output with the reason): operations with no parameter at all (there
is nothing to inject), and the alert feed, an endless event stream.
"""

import copy
import json
import sys
import urllib.parse

from scanlib import new_record_body, value_for

MARK = "\u0000SCANMARK\u0000"
SKIP = {
    "GET /api/alerts/stream": "server-sent events: the answer never ends, sqlmap cannot compare it",
}
RECORD_PRINCIPALS = {
    "quick": {"sales": ["leads"], "customer": ["customers"]},
    "full": {
        "sales": ["leads", "orders"],
        "customer": ["customers", "orders"],
        "finance": ["customers", "invoices"],
        "owner": ["employees"],
    },
}


def main():
    spec_file, fixtures_file, mode, out = sys.argv[1:5]
    spec = json.load(open(spec_file))
    fixtures = json.load(open(fixtures_file))
    targets, skipped = [], []
    for path, item in sorted(spec["paths"].items()):
        for method, op in sorted(item.items()):
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            key = f"{method.upper()} {path}"
            if key in SKIP:
                skipped.append({"op": key, "reason": SKIP[key]})
                continue
            if path.startswith("/api/collections/{name}/records"):
                made = record_targets(spec, fixtures, mode, key, path, method, op)
            else:
                made = operation_targets(spec, fixtures, key, path, method, op)
                signed_in = fixtures["examples"].get(key + " (signed in)")
                if signed_in:  # the same operation succeeding: its headers are stored
                    made += [t for t in build(spec, key, path, method, op, signed_in, " (signed in)")
                             if t["param"].startswith("header:")]
            if not made:
                skipped.append({"op": key, "reason": "no query, path or body parameter"})
            targets.extend(made)
    if mode == "quick":
        targets = merged(targets)
    for i, t in enumerate(targets):
        t["id"] = f"t{i:03d}"
        t.setdefault("params", [t["param"]])
    json.dump({"targets": targets, "skipped": skipped}, open(out, "w"), indent=1)
    ops = {t["op"] for t in targets}
    points = sum(len(t["params"]) for t in targets)
    print(f"   {points} injection points in {len(targets)} sqlmap runs ({len(ops)} operations); "
          f"{len(skipped)} operations not scanned")


def merged(targets):
    """Quick mode: the points of one request in one sqlmap run (several `*` markers; sqlmap tests
    each in turn), which saves a sqlmap start-up per point. Filter variants differ in their
    value, and the User-Agent goes through -p: those stay runs of their own."""
    groups, order = {}, []
    for t in targets:
        if t["param"] == "header:User-Agent":
            key = (t["op"], t["param"])
        else:
            plain = {k: v.replace("*", "") for k, v in t["headers"].items()}
            key = (t["op"], t["principal"], t["method"], t["url"].replace("*", ""),
                   (t["data"] or "").replace("*", ""), json.dumps(plain, sort_keys=True))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(t)
    out = []
    for key in order:
        group = groups[key]
        if len(group) == 1:
            out.append(group[0])
            continue
        first = group[0]
        url = insert_marks(first["url"].replace("*", ""), [t["url"] for t in group])
        data = first["data"]
        if data is not None:
            data = insert_marks(data.replace("*", ""), [t["data"] for t in group])
        headers = {k: v.replace("*", "") for k, v in first["headers"].items()}
        for t in group:
            for k, v in t["headers"].items():
                if v.endswith("*"):
                    headers[k] = headers[k] + "*"
        out.append(dict(first, url=url, data=data, headers=headers,
                        param=f"{len(group)} points", params=[t["param"] for t in group]))
    return out


def insert_marks(plain, marked_variants):
    """`plain` with a `*` wherever one of the variants (plain plus one `*`) has it."""
    positions = sorted({v.index("*") for v in marked_variants if "*" in v}, reverse=True)
    for at in positions:
        plain = plain[:at] + "*" + plain[at:]
    return plain


# ---------------------------------------------------------------- one operation
def operation_targets(spec, fixtures, key, path, method, op):
    example = fixtures["examples"].get(key)
    secured = bool(op.get("security"))
    if example is None:
        example = {"principal": default_principal(path, secured), "path": {}, "query": {},
                   "body": None, "headers": {}, "expect": [200, 201, 202, 204]}
    return build(spec, key, path, method, op, example)


def default_principal(path, secured):
    if not secured:
        return "anon"
    if path.startswith("/api/me") or path.startswith("/api/auth/"):
        return "hr"
    if path == "/api/collections":
        return "sales"
    return "owner"


def build(spec, key, path, method, op, example, tag=""):
    params = [resolve(spec, p) for p in op.get("parameters", [])]
    path_values, query_values, header_params = {}, {}, []
    for p in params:
        name, where = p["name"], p["in"]
        given = example["path" if where == "path" else "query"].get(name)
        value = given if given is not None else sample(spec, p.get("schema", {}), name)
        if where == "path":
            path_values[name] = str(value)
        elif where == "query" and (given is not None or p.get("required") or not example["query"]):
            # Without example values, optional query parameters get schema-valid ones.
            query_values[name] = value
        elif where == "header" and name in example.get("headers", {}):
            header_params.append(name)
    # Request headers Rampart stores (the browser's User-Agent, in sessions and the audit trail).
    header_params += [h for h in example.get("inject_headers", []) if h not in header_params]
    body = example.get("body")
    body_schema = request_schema(spec, op)
    if body is None and body_schema is not None:
        body = sample(spec, body_schema, "body")
    base = {
        "op": key + tag,
        "method": method.upper(),
        "principal": example["principal"],
        "headers": example.get("headers", {}),
        "expect": example.get("expect", [200, 201, 202, 204]),
    }
    targets = []
    for name in path_values:
        targets.append(dict(base, param=f"path:{name}",
                            url=render_path(path, path_values, mark=name) + render_query(query_values),
                            data=dumps(body)))
    for name in query_values:
        targets.append(dict(base, param=f"query:{name}",
                            url=render_path(path, path_values) + render_query(query_values, mark=name),
                            data=dumps(body)))
    for name in header_params:
        marked = dict(base["headers"])
        marked[name] = marked[name] + "*"
        targets.append(dict(base, param=f"header:{name}", headers=marked,
                            url=render_path(path, path_values) + render_query(query_values),
                            data=dumps(body)))
    for leaf in leaves(body):
        targets.append(dict(base, param="body:" + ".".join(map(str, leaf)),
                            url=render_path(path, path_values) + render_query(query_values),
                            data=dumps(body, mark=leaf)))
    return targets


# ---------------------------------------------------------------- records
def record_targets(spec, fixtures, mode, key, path, method, op):
    targets = []
    for principal, collections in RECORD_PRINCIPALS[mode].items():
        for name in collections:
            targets.extend(record_targets_for(spec, fixtures, mode, key, path, method, op,
                                              principal, name))
    return targets


def record_targets_for(spec, fixtures, mode, key, path, method, op, principal, collection):
    definition = fixtures["collections"][collection]
    fields = definition["fields"]
    mine = fixtures["records"].get(principal, {}).get(collection, {})
    record_id = mine.get("read") or "00000000-0000-4000-8000-000000000000"
    example = {"principal": principal, "path": {"name": collection, "id": record_id},
               "query": {}, "body": None, "headers": {}, "expect": [200, 201, 202, 204]}
    tag = f" as {principal} in {collection}"
    suffix = path[len("/api/collections/{name}/records"):]
    if method == "get" and suffix == "":
        example["query"] = {"sort": "-created_at", "limit": "5", "bin": "false"}
        if mine.get("cursor"):
            example["query"]["after"] = mine["cursor"]
        # The filter is scanned by filter_targets; here a valid one for the other targets.
        text = next((f["name"] for f in fields if f["type"] == "text" and not f.get("sensitive")), None)
        if text:
            example["query"]["filter"] = f'{text} != "nothing"'
        made = build(spec, key, path, method, op, example, tag)
        made = [t for t in made if t["param"] != "query:filter"]
        example["query"].pop("filter", None)
        made += filter_targets(spec, fixtures, key, path, method, op, example, tag, fields,
                               principal, mode)
        return made
    if method == "post" and suffix == "":
        example["body"] = new_record_body(definition, fixtures, principal, collection,
                                          reads_sensitive(fixtures, principal))
        example["expect"] = [200, 201, 409, 422]
        return build(spec, key, path, method, op, example, tag)
    if method == "patch":
        example["path"]["id"] = mine.get("patch") or record_id
        example["headers"] = {"If-Match": mine.get("etag") or '"0"'}
        fields_doc = patch_fields(fields)
        example["body"] = {"fields": fields_doc} if body_wraps_fields(spec, op) else fields_doc
        example["expect"] = [200, 409, 412, 428]
        return build(spec, key, path, method, op, example, tag)
    if method == "delete":
        example["path"]["id"] = mine.get("delete") or record_id
        example["expect"] = [200, 204, 404, 409]  # 409: in the bin already (the 2nd target)
        return build(spec, key, path, method, op, example, tag)
    if suffix == "/{id}/restore":
        example["path"]["id"] = mine.get("restore") or record_id
        example["expect"] = [200, 204, 404, 409]
        return build(spec, key, path, method, op, example, tag)
    return build(spec, key, path, method, op, example, tag)


def reads_sensitive(fixtures, principal, filtering=False):
    """Whether the principal may set (or, filtering, search by) sensitive fields: a customer
    sets their own, but searching by one needs `records:read_sensitive`."""
    me = fixtures["principals"][principal].get("me", {})
    if principal == "customer":
        return not filtering
    return "records:read_sensitive" in me.get("permissions", [])


def body_wraps_fields(spec, op):
    schema = request_schema(spec, op) or {}
    return "fields" in (schema.get("properties") or {})


def filter_targets(spec, fixtures, key, path, method, op, example, tag, fields, principal, mode):
    """One target per kind of literal in `filter`, the marker inside the literal."""
    sensitive_ok = reads_sensitive(fixtures, principal, filtering=True)
    chosen = {}
    for f in fields:
        kind = f["type"]
        if f.get("sensitive") and not (f.get("searchable") and sensitive_ok):
            continue
        label = "sensitive" if f.get("sensitive") else kind
        if label not in chosen:
            chosen[label] = f
    made = []
    for label, f in chosen.items():
        literal = literal_for(f)
        if literal is None:
            continue
        op_text = ">" if f["type"] in ("integer", "decimal", "date_time") else "="
        quoted = literal.startswith('"')
        marked = literal[:-1] + MARK + '"' if quoted else literal + MARK
        variants = [(f"filter[{label}]", f'{f["name"]} {op_text} {marked}')]
        if label == "text":  # `~` is a LIKE with the client's pattern: escaping matters
            variants.append(("filter[text ~]", f'{f["name"]} ~ {marked}'))
            variants.append(("filter[text in]", f'{f["name"]} in ("Globex", {marked})'))
        if mode == "full":
            variants.append((f"filter[{label} field name]", f'{f["name"]}{MARK} {op_text} {literal}'))
        for param, expression in variants:
            ex = copy.deepcopy(example)
            ex["query"]["filter"] = expression
            for t in build(spec, key, path, method, op, ex, tag):
                if t["param"] == "query:filter":
                    t["param"] = "query:" + param
                    t["url"] = t["url"].replace("*", "").replace(urllib.parse.quote(MARK), "*")
                    made.append(t)
    return made


def literal_for(field):
    kind = field["type"]
    if kind in ("text", "long_text", "email", "phone"):
        return '"Acme"' if kind != "email" else '"buyer@acme.example"'
    if kind == "enum":
        return '"' + field["values"][0] + '"'
    if kind == "integer":
        return "100"
    if kind == "decimal":
        return "100.5"
    if kind == "date_time":
        return '"2020-01-01T00:00:00Z"'
    if kind == "boolean":
        return "true"
    return None


def patch_fields(fields):
    doc = {}
    for f in fields:
        if f.get("sensitive"):
            continue
        v = value_for(f, "patch")
        if v is not None and f["type"] in ("text", "long_text", "enum", "integer", "decimal"):
            doc[f["name"]] = v
    return doc


# ---------------------------------------------------------------- schema
def resolve(spec, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        parts = ref.lstrip("#/").split("/")
        target = spec
        for part in parts:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


def request_schema(spec, op):
    body = resolve(spec, op.get("requestBody") or {})
    content = body.get("content") or {}
    media = content.get("application/json")
    if not media:
        return None
    return resolve(spec, media.get("schema") or {})


def sample(spec, schema, name, depth=0):
    """A schema-valid value (the first of a choice; a required-properties object)."""
    schema = resolve(spec, schema)
    if depth > 6 or not isinstance(schema, dict):
        return "x"
    for key in ("example", "default", "const"):
        if key in schema and schema[key] is not None:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [o for o in schema[key] if resolve(spec, o).get("type") != "null"]
            return sample(spec, options[0] if options else schema[key][0], name, depth + 1)
    if "allOf" in schema:
        merged = {}
        for part in schema["allOf"]:
            value = sample(spec, part, name, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        return {k: sample(spec, v, k, depth + 1) for k, v in props.items()
                if k in required or depth == 0}
    if kind == "array":
        return [sample(spec, schema.get("items") or {}, name, depth + 1)]
    if kind == "integer":
        low = schema.get("minimum", 1)
        return max(int(low), min(5, int(schema.get("maximum", 5))))
    if kind == "number":
        return schema.get("minimum", 1.5)
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if fmt == "email":
        return "scan@scan.example"
    pattern = schema.get("pattern")
    if pattern and pattern.startswith("^(") and pattern.endswith(")$"):
        return pattern[2:-2].split("|")[0]
    minimum = schema.get("minLength", 0)
    value = "scan value"
    return value if len(value) >= minimum else value + "x" * (minimum - len(value))


# ---------------------------------------------------------------- rendering
def render_path(path, values, mark=None):
    out = path
    for name, value in values.items():
        text = urllib.parse.quote(value, safe="")
        if name == mark:
            text += "*"
        out = out.replace("{" + name + "}", text)
    return out


def render_query(values, mark=None):
    if not values:
        return ""
    parts = []
    for name, value in values.items():
        text = json.dumps(value) if isinstance(value, bool) else str(value)
        text = text.lower() if isinstance(value, bool) else text
        encoded = urllib.parse.quote(text, safe="")
        if name == mark:
            encoded += "*"
        parts.append(f"{name}={encoded}")
    return "?" + "&".join(parts)


def leaves(value, prefix=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, prefix + (i,))
    elif value is not None:
        yield prefix


def dumps(body, mark=None):
    if body is None:
        return None
    if mark is None:
        return json.dumps(body)
    copy_ = copy.deepcopy(body)
    node = copy_
    for part in mark[:-1]:
        node = node[part]
    original = node[mark[-1]]
    node[mark[-1]] = MARK
    text = json.dumps(copy_)
    if isinstance(original, str):
        replacement = json.dumps(original)[:-1] + '*"'
    else:
        replacement = json.dumps(original) + "*"
    return text.replace(json.dumps(MARK), replacement)


if __name__ == "__main__":
    main()
