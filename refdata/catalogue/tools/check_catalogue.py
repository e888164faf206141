#!/usr/bin/env python3
"""Validate refdata/catalogue/{procedures.json,agencies.json,forms/}.

Usage (from the repository root):

    python3 refdata/catalogue/tools/check_catalogue.py [CATALOGUE_DIR]

Standard library only. Prints every violation and exits with status 1 if there
is any, 0 otherwise. The rules mirror what the Rust seeder expects (exact key
sets, enums, integer amounts) plus a few consistency checks of our own.
"""

import json
import os
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.dirname(HERE)

MIN_PROCEDURES = 45
LEVELS = {"tinh", "xa"}
ONLINE_LEVELS = {2, 3, 4}
UNITS = {"working_days", "working_hours", "calendar_days"}
FEE_KINDS = {"phi", "le_phi"}
CHANNELS = {"truc-tiep", "truc-tuyen", "buu-chinh"}
REQUIRED_CODES = {"1.001193", "1.000894", "1.004222", "1.001612", "2.000815"}

TOP_KEYS = {"note", "fields", "procedures"}
FIELD_KEYS = {"code", "name"}
PROC_KEYS = {"code", "name", "field", "level", "agency", "implementing_agency", "online_level", "time_limit",
             "fees", "subjects", "channels", "papers", "steps", "requirements", "result", "legal_basis",
             "forms", "popularity"}
TIME_KEYS = {"value", "unit", "note"}
FEE_KEYS = {"kind", "description", "amount_vnd", "per"}
PAPER_KEYS = {"name", "originals", "copies", "mandatory", "note"}
FORM_KEYS = {"title", "file"}
AG_TOP_KEYS = {"province", "departments"}
PROVINCE_KEYS = {"name", "short_name", "code", "gso_province_code"}
DEPT_KEYS = {"key", "code", "name", "short_name", "address", "phone", "email"}

CODE_RE = re.compile(r"^[1-9]\.\d{6}$")
FIELD_CODE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DEPT_KEY_RE = re.compile(r"^[A-Z]{2,10}$")
DEPT_CODE_RE = re.compile(r"^000\.00\.\d{2}\.H56$")
FILE_RE = re.compile(r"^[0-9a-z.\-]+\.(docx|pdf)$")
EMAIL_RE = re.compile(r"^[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,}$")
PHONE_RE = re.compile(r"^0\d{3} \d{4} \d{3}$")


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def keys(self, where, obj, expected):
        if not isinstance(obj, dict):
            self.err(where, f"expected an object, got {type(obj).__name__}")
            return False
        missing = expected - obj.keys()
        extra = obj.keys() - expected
        if missing:
            self.err(where, f"missing keys {sorted(missing)}")
        if extra:
            self.err(where, f"unknown keys {sorted(extra)}")
        return not missing

    def text(self, where, value, nullable=False):
        if value is None:
            if not nullable:
                self.err(where, "must not be null")
            return
        if not isinstance(value, str):
            self.err(where, f"expected a string, got {type(value).__name__}")
            return
        if not value.strip():
            self.err(where, "empty string")
        elif value != value.strip():
            self.err(where, "leading or trailing whitespace")

    def integer(self, where, value, lo=None, hi=None):
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(where, f"expected an integer, got {value!r}")
            return False
        if lo is not None and value < lo or hi is not None and value > hi:
            self.err(where, f"{value} outside [{lo}, {hi}]")
            return False
        return True


def walk_strings(obj, path="$"):
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk_strings(v, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_strings(k, f"{path}.<key>")
            yield from walk_strings(v, f"{path}.{k}")


def check_nfc(c, doc, label):
    for path, s in walk_strings(doc):
        if unicodedata.normalize("NFC", s) != s:
            c.err(f"{label} {path}", "text is not in Unicode NFC")
        if any(unicodedata.category(ch) == "Cc" for ch in s):
            c.err(f"{label} {path}", "contains control characters")


def check_form_file(c, where, path):
    if path.endswith(".pdf"):
        with open(path, "rb") as f:
            if not f.read(5).startswith(b"%PDF-"):
                c.err(where, "not a PDF file")
        return
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad:
                c.err(where, f"corrupt zip member {bad}")
                return
            names = set(z.namelist())
            for required in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
                if required not in names:
                    c.err(where, f"DOCX lacks {required}")
            for name in names:
                if name.endswith(".xml") or name.endswith(".rels"):
                    try:
                        ET.fromstring(z.read(name))
                    except ET.ParseError as e:
                        c.err(where, f"{name} is not well-formed XML: {e}")
            size = os.path.getsize(path)
            if size > 64 * 1024:
                c.err(where, f"file is large ({size} bytes); forms should be a few KB")
    except zipfile.BadZipFile:
        c.err(where, "not a valid DOCX (zip) file")


def check_agencies(c, ag):
    keys = set()
    if not c.keys("agencies.json", ag, AG_TOP_KEYS):
        return keys
    prov = ag["province"]
    if c.keys("agencies.province", prov, PROVINCE_KEYS):
        for k in PROVINCE_KEYS:
            c.text(f"agencies.province.{k}", prov[k])
        if prov["code"] != "000.00.00.H56":
            c.err("agencies.province.code", f"expected 000.00.00.H56, got {prov['code']!r}")
        if prov["gso_province_code"] != "38":
            c.err("agencies.province.gso_province_code", "expected '38' (Thanh Hóa)")
    depts = ag["departments"]
    if not isinstance(depts, list) or not depts:
        c.err("agencies.departments", "must be a non-empty list")
        return keys
    codes = set()
    for i, d in enumerate(depts):
        where = f"agencies.departments[{i}]"
        if not c.keys(where, d, DEPT_KEYS):
            continue
        for k in DEPT_KEYS:
            c.text(f"{where}.{k}", d[k])
        if isinstance(d["key"], str):
            if not DEPT_KEY_RE.match(d["key"]):
                c.err(where, f"key {d['key']!r} must be short uppercase ASCII")
            if d["key"] in keys:
                c.err(where, f"duplicate key {d['key']}")
            keys.add(d["key"])
        if isinstance(d["code"], str):
            if not DEPT_CODE_RE.match(d["code"]):
                c.err(where, f"code {d['code']!r} must look like 000.00.NN.H56")
            if d["code"] in codes:
                c.err(where, f"duplicate code {d['code']}")
            codes.add(d["code"])
        if isinstance(d["email"], str) and not EMAIL_RE.match(d["email"]):
            c.err(where, f"bad e-mail {d['email']!r}")
        if isinstance(d["phone"], str) and not PHONE_RE.match(d["phone"]):
            c.err(where, f"phone {d['phone']!r} should look like '0237 3xxx xxx'")
    expected = [f"000.00.{n:02d}.H56" for n in range(1, len(depts) + 1)]
    if [d.get("code") for d in depts] != expected:
        c.err("agencies.departments", "codes must be 000.00.01.H56, 000.00.02.H56, … in list order")
    check_nfc(c, ag, "agencies.json")
    return keys


def check_procedure(c, i, p, field_codes, agency_keys, forms_dir):
    where = f"procedures[{i}]"
    if not c.keys(where, p, PROC_KEYS):
        return
    code = p["code"]
    where = f"procedure {code}"
    if not isinstance(code, str) or not CODE_RE.match(code):
        c.err(where, "code must look like 1.001193")
    c.text(f"{where}.name", p["name"])
    if isinstance(p["name"], str) and p["name"].lower().startswith("thủ tục"):
        c.err(f"{where}.name", "must not start with 'Thủ tục'")
    if p["field"] not in field_codes:
        c.err(f"{where}.field", f"unknown field {p['field']!r}")
    if p["level"] not in LEVELS:
        c.err(f"{where}.level", f"must be one of {sorted(LEVELS)}")
    if p["level"] == "tinh":
        if p["agency"] not in agency_keys:
            c.err(f"{where}.agency", f"{p['agency']!r} is not a department key of agencies.json")
    elif p["level"] == "xa" and p["agency"] is not None:
        c.err(f"{where}.agency", "must be null for commune-level procedures")
    c.text(f"{where}.implementing_agency", p["implementing_agency"])
    if p["online_level"] not in ONLINE_LEVELS or isinstance(p["online_level"], bool):
        c.err(f"{where}.online_level", f"must be one of {sorted(ONLINE_LEVELS)}")

    tl = p["time_limit"]
    if c.keys(f"{where}.time_limit", tl, TIME_KEYS):
        c.integer(f"{where}.time_limit.value", tl["value"], 1, 10000)
        if tl["unit"] not in UNITS:
            c.err(f"{where}.time_limit.unit", f"must be one of {sorted(UNITS)}")
        c.text(f"{where}.time_limit.note", tl["note"], nullable=True)

    if not isinstance(p["fees"], list):
        c.err(f"{where}.fees", "must be a list")
    else:
        for j, f in enumerate(p["fees"]):
            fw = f"{where}.fees[{j}]"
            if not c.keys(fw, f, FEE_KEYS):
                continue
            if f["kind"] not in FEE_KINDS:
                c.err(fw, f"kind must be one of {sorted(FEE_KINDS)}")
            c.text(f"{fw}.description", f["description"])
            c.integer(f"{fw}.amount_vnd", f["amount_vnd"], 0, 10**10)
            c.text(f"{fw}.per", f["per"], nullable=True)

    c.text(f"{where}.subjects", p["subjects"])
    ch = p["channels"]
    if not isinstance(ch, list) or not ch:
        c.err(f"{where}.channels", "must be a non-empty list")
    else:
        if len(set(ch)) != len(ch):
            c.err(f"{where}.channels", "duplicates")
        bad = set(ch) - CHANNELS
        if bad:
            c.err(f"{where}.channels", f"unknown channels {sorted(bad)}")
        if p["online_level"] == 2 and "truc-tuyen" in ch:
            c.err(f"{where}.channels", "online level 2 (forms only) cannot list 'truc-tuyen'")
        if p["online_level"] in (3, 4) and "truc-tuyen" not in ch:
            c.err(f"{where}.channels", "online level 3/4 must list 'truc-tuyen'")

    papers = p["papers"]
    if not isinstance(papers, list) or not papers:
        c.err(f"{where}.papers", "needs at least one paper")
    else:
        for j, d in enumerate(papers):
            dw = f"{where}.papers[{j}]"
            if not c.keys(dw, d, PAPER_KEYS):
                continue
            c.text(f"{dw}.name", d["name"])
            ok = c.integer(f"{dw}.originals", d["originals"], 0, 100) & c.integer(f"{dw}.copies", d["copies"], 0, 100)
            if ok and d["originals"] + d["copies"] < 1:
                c.err(dw, "originals + copies must be at least 1")
            if not isinstance(d["mandatory"], bool):
                c.err(f"{dw}.mandatory", "must be a boolean")
            c.text(f"{dw}.note", d["note"], nullable=True)

    steps = p["steps"]
    if not isinstance(steps, list) or len(steps) < 2:
        c.err(f"{where}.steps", "needs at least two steps")
    else:
        for j, s in enumerate(steps):
            c.text(f"{where}.steps[{j}]", s)
    c.text(f"{where}.requirements", p["requirements"], nullable=True)
    c.text(f"{where}.result", p["result"])
    lb = p["legal_basis"]
    if not isinstance(lb, list) or not lb:
        c.err(f"{where}.legal_basis", "needs at least one legal basis")
    else:
        for j, s in enumerate(lb):
            c.text(f"{where}.legal_basis[{j}]", s)
        if len(set(lb)) != len(lb):
            c.err(f"{where}.legal_basis", "duplicates")

    forms = p["forms"]
    files = []
    if not isinstance(forms, list) or not forms:
        c.err(f"{where}.forms", "needs at least one form")
    else:
        for j, fm in enumerate(forms):
            fw = f"{where}.forms[{j}]"
            if not c.keys(fw, fm, FORM_KEYS):
                continue
            c.text(f"{fw}.title", fm["title"])
            name = fm["file"]
            if not isinstance(name, str) or not FILE_RE.match(name):
                c.err(f"{fw}.file", f"bad file name {name!r}")
                continue
            files.append(name)
            path = os.path.join(forms_dir, name)
            if not os.path.isfile(path):
                c.err(f"{fw}.file", f"missing file forms/{name}")
            else:
                check_form_file(c, f"forms/{name}", path)
    c.integer(f"{where}.popularity", p["popularity"], 0, 1000)
    return files


def main(argv):
    root = argv[1] if len(argv) > 1 else DEFAULT_DIR
    c = Checker()
    try:
        with open(os.path.join(root, "agencies.json"), encoding="utf-8") as f:
            ag = json.load(f)
        with open(os.path.join(root, "procedures.json"), encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"error: {e}")
        return 1

    agency_keys = check_agencies(c, ag)
    forms_dir = os.path.join(root, "forms")
    stats = {"procedures": 0}
    if c.keys("procedures.json", doc, TOP_KEYS):
        c.text("procedures.json note", doc["note"])
        field_codes = set()
        if not isinstance(doc["fields"], list) or not doc["fields"]:
            c.err("fields", "must be a non-empty list")
        else:
            for i, fd in enumerate(doc["fields"]):
                if not c.keys(f"fields[{i}]", fd, FIELD_KEYS):
                    continue
                c.text(f"fields[{i}].name", fd["name"])
                if not isinstance(fd["code"], str) or not FIELD_CODE_RE.match(fd["code"]):
                    c.err(f"fields[{i}]", f"bad code {fd['code']!r}")
                elif fd["code"] in field_codes:
                    c.err(f"fields[{i}]", f"duplicate code {fd['code']}")
                field_codes.add(fd["code"])
        procs = doc["procedures"]
        if not isinstance(procs, list):
            c.err("procedures", "must be a list")
            procs = []
        stats["procedures"] = len(procs)
        if len(procs) < MIN_PROCEDURES:
            c.err("procedures", f"only {len(procs)} procedures; at least {MIN_PROCEDURES} required")
        seen, referenced = set(), set()
        units = {u: 0 for u in sorted(UNITS)}
        free = paid = 0
        used_fields = set()
        for i, p in enumerate(procs):
            files = check_procedure(c, i, p, field_codes, agency_keys, forms_dir)
            if not isinstance(p, dict):
                continue
            referenced.update(files or [])
            code = p.get("code")
            if code in seen:
                c.err(f"procedure {code}", "duplicate code")
            seen.add(code)
            used_fields.add(p.get("field"))
            unit = (p.get("time_limit") or {}).get("unit")
            if unit in units:
                units[unit] += 1
            amounts = [f.get("amount_vnd") for f in p.get("fees") or [] if isinstance(f, dict)]
            if any(isinstance(a, int) and a > 0 for a in amounts):
                paid += 1
            else:
                free += 1
        for code in sorted(REQUIRED_CODES - seen):
            c.err("procedures", f"required procedure {code} is missing")
        if units["working_hours"] < 2:
            c.err("procedures", "at least 2 procedures must have a time limit in working_hours")
        if units["calendar_days"] < 2:
            c.err("procedures", "at least 2 procedures must have a time limit in calendar_days")
        if not free or not paid:
            c.err("procedures", "need both fee-free and fee-bearing procedures")
        levels = {p.get("level") for p in procs if isinstance(p, dict)}
        if not LEVELS <= levels:
            c.err("procedures", "need procedures of both levels 'tinh' and 'xa'")
        online = {p.get("online_level") for p in procs if isinstance(p, dict)}
        if not ONLINE_LEVELS <= online:
            c.err("procedures", "need a mix of online levels 2, 3 and 4")
        for fc in sorted(field_codes - used_fields):
            c.err("fields", f"field {fc} is not used by any procedure")
        if os.path.isdir(forms_dir):
            for name in sorted(os.listdir(forms_dir)):
                if name.endswith((".docx", ".pdf")) and name not in referenced:
                    c.err(f"forms/{name}", "file is not referenced by any procedure")
        check_nfc(c, doc, "procedures.json")
        stats.update(units)
        stats["fee_free"], stats["fee_bearing"] = free, paid

    if c.errors:
        for e in c.errors:
            print("error:", e)
        print(f"{len(c.errors)} problem(s) found")
        return 1
    print("catalogue OK: " + ", ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
