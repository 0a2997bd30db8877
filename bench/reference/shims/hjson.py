"""Stand-in for `hjson` (in no package registry reachable here). DeepSpeed 0.7.3 imports it only in
deepspeed/autotuning (reached from deepspeed/__init__ through runtime.config), to read JSON-with-comments
autotuning templates that the reference runs never use. Plain JSON is valid hjson, so json does."""
import json

__version__ = "0.0-json-standin"
HjsonDecodeError = json.JSONDecodeError


def load(fp, **kw):
    return json.load(fp, object_pairs_hook=kw.get("object_pairs_hook"))


def loads(s, **kw):
    return json.loads(s, object_pairs_hook=kw.get("object_pairs_hook"))


def dump(obj, fp, **kw):
    json.dump(obj, fp, indent=kw.get("indent"))


def dumps(obj, **kw):
    return json.dumps(obj, indent=kw.get("indent"))


dumpJSON = dump
dumpsJSON = dumps
