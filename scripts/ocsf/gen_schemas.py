#!/usr/bin/env python3
"""Generate draft 2020-12 JSON Schemas for OCSF classes 3004/3005/3006.

Input: a schema compiled by the official ocsf-schema-compiler (non-browser mode,
platform extensions ignored), e.g.
    (cd ocsf-schema-compiler/src && python3 -m ocsf_schema_compiler -i path/to/ocsf-schema) > compiled.json

Usage: gen_schemas.py compiled.json out_dir source_commit

Only data from the compiled schema is transcribed (names, captions, types, enums,
requirements, constraints, profiles, deprecations). Descriptions are generated here.
"""
import json
import re
import sys
from pathlib import Path

CLASSES = [
    ("entity_management", "ocsf-3004-entity-management.schema.json"),
    ("user_access", "ocsf-3005-user-access-management.schema.json"),
    ("group_management", "ocsf-3006-group-management.schema.json"),
]

# Objects expanded with a closed attribute set. Every other referenced object is
# emitted as an open {"type": "object"} stub.
EXPANDED = {
    "metadata", "product", "feature", "reporter", "organization", "extension",
    "key_value_object", "logger", "transformation_info", "timespan",
    "actor", "session", "user", "account", "group", "ldap_person",
    "programmatic_credential", "location",
    "managed_entity", "policy",
    "resource_details",
    "fingerprint", "observable", "enrichment", "reputation",
}

PRIMITIVE_JSON = {
    "string_t": "string",
    "integer_t": "integer",
    "long_t": "integer",
    "float_t": "number",
    "boolean_t": "boolean",
}


def primitive_of(types, t):
    seen = t
    while t in types and "type" in types[t]:
        t = types[t]["type"]
    return t if t in PRIMITIVE_JSON or t == "json_t" else seen


def code_names(msg):
    return re.findall(r"<code>\s*([^<]+?)\s*</code>", msg or "")


def enum_text(enum):
    items = sorted(enum.items(), key=lambda kv: int(kv[0]) if kv[0].lstrip("-").isdigit() else kv[0])
    parts = []
    for k, v in items:
        cap = v.get("caption", "")
        if v.get("@deprecated"):
            cap += " (deprecated)"
        parts.append(f"{k}={cap}")
    return "; ".join(parts)


class Gen:
    def __init__(self, compiled):
        self.s = compiled
        self.types = compiled["dictionary"]["types"]["attributes"]
        self.objects = compiled["objects"]

    def attr_schema(self, name, a, owner):
        t = a["type"]
        sch = {}
        notes = []
        if t == "object_t":
            ot = a["object_type"]
            item = {"$ref": f"#/$defs/{ot}"}
            self.need.add(ot)
            notes.append(f"OCSF object `{ot}`" + ("" if ot in EXPANDED else " (not expanded here)"))
        else:
            prim = primitive_of(self.types, t)
            item = {}
            if prim in PRIMITIVE_JSON:
                item["type"] = PRIMITIVE_JSON[prim]
            # json_t: any JSON value, no type keyword
            tdef = self.types.get(t, {})
            if "max_len" in tdef:
                item["maxLength"] = tdef["max_len"]
            if "range" in tdef:
                item["minimum"], item["maximum"] = tdef["range"]
            if a.get("enum"):
                keys = list(a["enum"].keys())
                if item.get("type") == "integer":
                    item["enum"] = sorted(int(k) for k in keys)
                else:
                    item["enum"] = sorted(keys)
                notes.append("Enum: " + enum_text(a["enum"]))
            tn = t
            if t == "timestamp_t":
                tn = "timestamp_t (epoch milliseconds)"
            elif t == "datetime_t":
                tn = "datetime_t (RFC 3339 string)"
            notes.insert(0, f"OCSF type {tn}")
            if tdef.get("regex"):
                notes.append("OCSF defines a regex for this type (a mismatch is only a warning in the OCSF validator; not enforced here)")
        if a.get("is_array"):
            sch["type"] = "array"
            sch["items"] = item
            notes.insert(0, "Array.")
        else:
            sch.update(item)
        sch = {"title": a.get("caption", name), **sch}
        req = a.get("requirement", "optional")
        notes.append(f"OCSF requirement: {req}")
        profs = a.get("profiles")
        if profs:
            notes.append("From profile(s): " + ", ".join(profs) + " (OCSF only accepts it when metadata.profiles lists the profile; accepted unconditionally here)")
        if a.get("sibling"):
            notes.append(f"Sibling (caption) attribute: `{a['sibling']}`")
        dep = a.get("@deprecated")
        if dep:
            sch["deprecated"] = True
            repl = code_names(dep.get("message"))
            notes.append(f"Deprecated since {dep.get('since')}" + (f"; replacement: {', '.join(repl)}" if repl else ""))
        sch["description"] = ". ".join(n.rstrip(".") for n in notes) + "."
        return sch

    def props(self, attrs, owner):
        props, required, prof_required = {}, [], {}
        for name in sorted(attrs):
            a = attrs[name]
            props[name] = self.attr_schema(name, a, owner)
            if a.get("requirement") == "required":
                if a.get("profiles"):
                    for p in a["profiles"]:
                        prof_required.setdefault(p, []).append(name)
                else:
                    required.append(name)
        return props, required, prof_required

    def object_def(self, name):
        if name == "object":
            return {"title": "Object", "type": "object",
                    "description": "OCSF generic `object`: any JSON object (free-form)."}
        o = self.objects[name]
        if name not in EXPANDED:
            return {"title": o.get("caption", name), "type": "object",
                    "description": f"OCSF object `{name}`; not expanded in this schema, any JSON object is accepted."}
        props, required, prof_required = self.props(o["attributes"], name)
        d = {"title": o.get("caption", name), "type": "object"}
        desc = [f"OCSF object `{name}`" + (f" (extends `{o['extends']}`)" if o.get("extends") else "")]
        desc.append("Required: " + (", ".join(required) if required else "none"))
        cons = o.get("constraints") or {}
        if cons.get("at_least_one"):
            desc.append("Constraint at_least_one: " + ", ".join(cons["at_least_one"]))
        if cons.get("just_one"):
            desc.append("Constraint just_one: " + ", ".join(cons["just_one"]))
        if prof_required:
            desc.append("Profile-required (not enforced): " + json.dumps(prof_required))
        d["description"] = ". ".join(desc) + "."
        d["properties"] = props
        if required:
            d["required"] = required
        if cons.get("at_least_one"):
            d["anyOf"] = [{"required": [k]} for k in cons["at_least_one"]]
        if cons.get("just_one"):
            ks = cons["just_one"]
            d["oneOf"] = [{"required": [k], "not": {"anyOf": [{"required": [o2]} for o2 in ks if o2 != k]}} for k in ks]
        d["additionalProperties"] = False
        return d

    def class_schema(self, cname, commit):
        c = self.s["classes"][cname]
        self.need = set()
        attrs = c["attributes"]
        props, required, prof_required = self.props(attrs, cname)
        class_uid = int(next(iter(attrs["class_uid"]["enum"])))
        category_uid = int(next(iter(attrs["category_uid"]["enum"])))
        props["class_uid"]["const"] = class_uid
        props["class_uid"].pop("enum", None)
        props["category_uid"]["const"] = category_uid
        props["category_uid"].pop("enum", None)
        act = attrs["activity_id"]["enum"]
        allof = []
        for p, names in sorted(prof_required.items()):
            allof.append({
                "description": f"Profile '{p}': when metadata.profiles contains \"{p}\", OCSF requires {', '.join(names)}.",
                "if": {"type": "object", "required": ["metadata"], "properties": {"metadata": {"type": "object", "required": ["profiles"], "properties": {"profiles": {"type": "array", "contains": {"const": p}}}}}},
                "then": {"type": "object", "required": names},
            })
        pairs = []
        for k in sorted(act, key=int):
            pairs.append({"type": "object", "properties": {"activity_id": {"const": int(k)}, "type_uid": {"const": class_uid * 100 + int(k)}}})
        allof.append({"description": "type_uid must equal class_uid * 100 + activity_id (checked by the OCSF validator).",
                      "oneOf": pairs})
        version = self.s["version"]
        sch = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:ocsf:schema:{version}:class:{cname}",
            "title": f"OCSF {version} {c['caption']} [{class_uid}]",
            "description": (
                f"Event class `{cname}` (class_uid {class_uid}, category `{c.get('category')}` = {category_uid}), "
                f"extends `{c.get('extends')}`; generated from ocsf/ocsf-schema {version} (commit {commit}) "
                f"compiled with ocsf-schema-compiler (platform extensions ignored). "
                f"Required: {', '.join(required)}. Class profiles: {', '.join(c.get('profiles') or [])}; "
                f"profile attributes are accepted, and profile-required attributes are enforced only when metadata.profiles names the profile."
            ),
            "type": "object",
            "properties": props,
            "required": required,
            "additionalProperties": False,
            "allOf": allof,
        }
        defs = {}
        todo = sorted(self.need)
        while todo:
            n = todo.pop()
            if n in defs:
                continue
            before = set(self.need)
            defs[n] = self.object_def(n)
            todo.extend(sorted(self.need - before - set(defs)))
        sch["$defs"] = dict(sorted(defs.items()))
        return sch


def main():
    compiled = json.load(open(sys.argv[1]))
    out = Path(sys.argv[2])
    commit = sys.argv[3]
    out.mkdir(parents=True, exist_ok=True)
    g = Gen(compiled)
    for cname, fname in CLASSES:
        sch = g.class_schema(cname, commit)
        (out / fname).write_text(json.dumps(sch, indent=2, ensure_ascii=False) + "\n")
        print(fname, len(sch["properties"]), "attributes,", len(sch["$defs"]), "$defs")


if __name__ == "__main__":
    main()
