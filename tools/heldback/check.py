#!/usr/bin/env python3
"""Quantizes the held-back models with gguflens (quantize, with --imatrix for the imatrix runs) and compares
every tensor's type and data sha256 with llama.cpp's expected-types.tsv; runs llama.cpp refused must fail
and leave no file. See README.md.

usage: check.py HOLDOUT_DIR [FTYPE...]   (HOLDOUT_DIR holds oracle-tool, dest/ and gen/src/)
"""
import hashlib, json, os, subprocess, sys, csv
H = os.path.abspath(sys.argv[1]); G = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "gguflens")
TOOL = H + "/oracle-tool"
rows = list(csv.DictReader(open(H + "/dest/expected-sizes.tsv"), delimiter="\t"))
types = {}
for r in csv.DictReader(open(H + "/dest/expected-types.tsv"), delimiter="\t"):
    types.setdefault((r["set"], r["model"], r["ftype"], r["options"]), []).append(r)
only = sys.argv[2:]
bad = 0; ok = 0
for r in rows:
    if only and r["ftype"] not in only: continue
    m = r["model"]; gen = os.path.join(H, "gen", "src")
    src = os.path.join(gen, f"{m}-f16.gguf"); im = os.path.join(gen, f"imatrix-{m}.gguf")
    out = f"{H}/gl-{m}-{r['ftype']}-{r['options']}.gguf"
    if os.path.exists(out): os.remove(out)
    cmd = [G, "quantize", src, out, r["ftype"]] + (["--imatrix", im] if r["options"] == "imatrix" else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if r["status"] != "ok":
        if p.returncode == 0 or os.path.exists(out):
            print("SHOULD FAIL", r["set"], m, r["ftype"], p.returncode); bad += 1
        else: ok += 1
        continue
    if p.returncode != 0:
        print("FAILED", r["set"], m, r["ftype"], p.stderr.strip()[-300:]); bad += 1; continue
    lst = json.loads(subprocess.run([TOOL, "list", out], capture_output=True, text=True).stdout)
    blob = open(out, "rb").read(); base = lst["data_offset"]
    exp = types[(r["set"], m, r["ftype"], r["options"])]
    diffs = []
    for i, t in enumerate(lst["tensors"]):
        e = exp[i]; h = hashlib.sha256(blob[base + t["offset"]: base + t["offset"] + t["size"]]).hexdigest()
        if t["name"] != e["tensor_name"] or t["type"].upper() != e["type"] or h != e["sha256"]:
            diffs.append(f'{t["name"]} {t["type"]} vs {e["type"]}')
    if diffs:
        print("DIFF", r["set"], m, r["ftype"], len(diffs), diffs[:3]); bad += 1
    else: ok += 1
    os.remove(out)
print(f"ok {ok} bad {bad}")
