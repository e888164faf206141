#!/usr/bin/env python3
"""Validate the e-form definitions in refdata/catalogue/eforms/*.json.

Usage (from the repository root):

    python3 refdata/catalogue/tools/check_eforms.py [CATALOGUE_DIR]

Standard library only. Prints every violation and exits with status 1 if there
is any, 0 otherwise. The rules mirror `FormDefinition::parse_json` in
src/domain/form.rs (exact key sets, as the Rust types use `deny_unknown_fields`;
snake_case names unique over every input, an address giving `<name>_commune`
and `<name>_detail`; sane limits; non-empty unique options; NFC text), plus:
each file is named after a procedure code of procedures.json, and each file is
read by the unit tests of src/domain/form.rs (an `include_str!` naming it).
"""

import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(DEFAULT_DIR))
FORM_RS = os.path.join(REPO_ROOT, "src", "domain", "form.rs")

MAX_TEXT_LEN = 10_000
MAX_NUMBER = 999_999_999_999_999
FILE_RE = re.compile(r"^([1-9]\.\d{6})\.json$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

FORM_KEYS = ({"title", "sections"}, set())
SECTION_KEYS = ({"id", "title", "fields"}, {"help"})
FIELD_KEYS = ({"name", "label", "required", "kind"}, {"help"})
OPTION_KEYS = ({"value", "label"}, set())
KIND_KEYS = {
    "text": ({"type", "max_len"}, {"multiline"}),
    "number": ({"type", "min", "max"}, set()),
    "date": ({"type"}, {"past_only"}),
    "select": ({"type", "options"}, set()),
    "address": ({"type"}, set()),
    "citizen_id": ({"type"}, set()),
    "phone": ({"type"}, set()),
    "email": ({"type"}, set()),
}


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def keys(self, where, obj, spec):
        required, optional = spec
        if not isinstance(obj, dict):
            self.err(where, "expected an object")
            return False
        missing = required - obj.keys()
        unknown = obj.keys() - required - optional
        if missing:
            self.err(where, f"missing keys {sorted(missing)}")
        if unknown:
            self.err(where, f"unknown keys {sorted(unknown)}")
        return not missing

    def text(self, where, value, max_chars):
        if not isinstance(value, str) or not value.strip():
            self.err(where, "must be a non-empty string")
            return
        if value != value.strip():
            self.err(where, "leading or trailing whitespace")
        if not unicodedata.is_normalized("NFC", value):
            self.err(where, "not in Unicode NFC")
        if any(unicodedata.category(c) == "Cc" for c in value):
            self.err(where, "control character")
        if len(value) > max_chars:
            self.err(where, f"longer than {max_chars} characters")

    def kind(self, where, kind):
        if not isinstance(kind, dict) or kind.get("type") not in KIND_KEYS:
            self.err(where, f"unknown kind type {kind.get('type') if isinstance(kind, dict) else kind!r}")
            return
        ty = kind["type"]
        if not self.keys(where, kind, KIND_KEYS[ty]):
            return
        if ty == "text":
            if not is_int(kind["max_len"]) or not 1 <= kind["max_len"] <= MAX_TEXT_LEN:
                self.err(where, f"max_len must be an integer 1..{MAX_TEXT_LEN}")
            if not isinstance(kind.get("multiline", False), bool):
                self.err(where, "multiline must be a boolean")
        elif ty == "number":
            lo, hi = kind["min"], kind["max"]
            if not (is_int(lo) and is_int(hi)):
                self.err(where, "min and max must be integers")
            elif lo > hi:
                self.err(where, "min > max")
            elif abs(lo) > MAX_NUMBER or abs(hi) > MAX_NUMBER:
                self.err(where, f"bounds beyond ±{MAX_NUMBER}")
        elif ty == "date":
            if not isinstance(kind.get("past_only", False), bool):
                self.err(where, "past_only must be a boolean")
        elif ty == "select":
            options = kind["options"]
            if not isinstance(options, list) or not options:
                self.err(where, "options must be a non-empty list")
                return
            seen = set()
            for i, option in enumerate(options):
                at = f"{where}.options[{i}]"
                if not self.keys(at, option, OPTION_KEYS):
                    continue
                value = option["value"]
                if not isinstance(value, str) or not value or value != value.strip() or len(value) > 100:
                    self.err(at, f"bad value {value!r}")
                elif value in seen:
                    self.err(at, f"duplicate value {value!r}")
                seen.add(value)
                self.text(f"{at}.label", option["label"], 300)

    def form(self, where, form):
        if not self.keys(where, form, FORM_KEYS):
            return
        self.text(f"{where}.title", form["title"], 500)
        sections = form["sections"]
        if not isinstance(sections, list) or not sections:
            self.err(where, "sections must be a non-empty list")
            return
        section_ids, inputs = set(), set()
        for i, section in enumerate(sections):
            at = f"{where}.sections[{i}]"
            if not self.keys(at, section, SECTION_KEYS):
                continue
            sid = section["id"]
            if not isinstance(sid, str) or not NAME_RE.match(sid) or len(sid) > 60:
                self.err(at, f"id {sid!r} is not snake_case")
            elif sid in section_ids:
                self.err(at, f"duplicate section id {sid!r}")
            section_ids.add(sid)
            self.text(f"{at}.title", section["title"], 300)
            if "help" in section:
                self.text(f"{at}.help", section["help"], 1000)
            fields = section["fields"]
            if not isinstance(fields, list) or not fields:
                self.err(at, "fields must be a non-empty list")
                continue
            for j, field in enumerate(fields):
                fat = f"{at}.fields[{j}]"
                if not self.keys(fat, field, FIELD_KEYS):
                    continue
                name = field["name"]
                if not isinstance(name, str) or not NAME_RE.match(name) or len(name) > 60:
                    self.err(fat, f"name {name!r} is not snake_case")
                    continue
                fat = f"{at}.{name}"
                self.text(f"{fat}.label", field["label"], 300)
                if "help" in field:
                    self.text(f"{fat}.help", field["help"], 1000)
                if not isinstance(field["required"], bool):
                    self.err(fat, "required must be a boolean")
                self.kind(f"{fat}.kind", field["kind"])
                is_address = isinstance(field["kind"], dict) and field["kind"].get("type") == "address"
                for input_name in [f"{name}_commune", f"{name}_detail"] if is_address else [name]:
                    if input_name in inputs:
                        self.err(fat, f"duplicate input name {input_name!r}")
                    inputs.add(input_name)


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR
    eforms = os.path.join(base, "eforms")
    c = Checker()
    try:
        with open(os.path.join(base, "procedures.json"), encoding="utf-8") as f:
            codes = {p["code"] for p in json.load(f)["procedures"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"procedures.json: {e}")
        return 1
    try:
        with open(FORM_RS, encoding="utf-8") as f:
            form_rs = f.read()
    except OSError:
        form_rs = None
    names = sorted(os.listdir(eforms)) if os.path.isdir(eforms) else []
    if not names:
        c.err(eforms, "no e-form definitions")
    for name in names:
        where = f"eforms/{name}"
        m = FILE_RE.match(name)
        if not m:
            c.err(where, "file name must be <procedure code>.json")
            continue
        if m.group(1) not in codes:
            c.err(where, f"procedure {m.group(1)} is not in procedures.json")
        if form_rs is not None and f"eforms/{name}\")" not in form_rs:
            c.err(where, "not read by the unit tests in src/domain/form.rs (include_str!)")
        try:
            with open(os.path.join(eforms, name), encoding="utf-8") as f:
                form = json.load(f)
        except (OSError, ValueError) as e:
            c.err(where, f"not valid JSON: {e}")
            continue
        c.form(where, form)
    for e in c.errors:
        print(e)
    if c.errors:
        print(f"{len(c.errors)} problem(s) in {len(names)} e-form file(s)")
        return 1
    print(f"OK: {len(names)} e-form definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
