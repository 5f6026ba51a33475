#!/usr/bin/python3
"""Writes the model-security fixtures in this folder (run with Debian's /usr/bin/python3).

Every pickle here is either built opcode by opcode or written by pickle/joblib/numpy
*dumping* (serialising) harmless local objects. Nothing is ever unpickled or loaded:
the malicious ones only *name* os.system; they are disassembled with pickletools.dis
(which executes nothing) to check them. Deterministic: fixed data, fixed zip/tar
timestamps.
"""
import collections
import io
import os
import pickletools
import sys
import tarfile
import zipfile

import joblib
import numpy as np
import xgboost
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCH = (2024, 1, 1, 0, 0, 0)

# GLOBAL os.system, then REDUCE it with ("echo probity-test",): os.system would run on load.
EVIL = (b"\x80\x02cos\nsystem\nq\x00X\x11\x00\x00\x00echo probity-testq\x01\x85q\x02Rq\x03.")
# A harmless class from a package on neither list: passes, except with --strict.
UNKNOWN = b"\x80\x02cmypackage.models\nScorer\nq\x00)\x81q\x01}q\x02X\x01\x00\x00\x00kK\x03sb."
# The shape of a torch.save zip's data.pkl: OrderedDict of one tensor rebuilt from a
# persistent storage id (BINPERSID), as torch writes it.
TORCH_DATA_PKL = (
    b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01"
    b"X\x06\x00\x00\x00weightq\x02"
    b"ctorch._utils\n_rebuild_tensor_v2\nq\x03"
    b"((X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05"
    b"X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07K\x04tq\x08Q"
    b"K\x00K\x04\x85q\tK\x01\x85q\n\x89h\x00)Rq\x0btq\x0cRq\rs.")


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, EPOCH), data)
    return buf.getvalue()


def tar_gz_bytes(members):
    buf = io.BytesIO()
    # mtime=0 in the gzip header and the tar entries: byte-identical reruns.
    import gzip
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as t:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = 0
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def main():
    for data in (EVIL, UNKNOWN, TORCH_DATA_PKL):
        pickletools.dis(data, out=io.StringIO())  # well-formed; disassembly executes nothing
    write("evil_reduce.pkl", EVIL)
    write("unknown_import.pkl", UNKNOWN)
    write("benign_state.pkl", __import__("pickle").dumps(
        collections.OrderedDict([("weights", [0.5, -1.25]), ("bias", 0.1)]), protocol=4))

    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]] * 5)
    y = np.array([0, 1, 1, 0] * 5)
    buf = io.BytesIO()
    joblib.dump(LogisticRegression(random_state=0).fit(x, y), buf)
    write("sklearn_logistic.joblib", buf.getvalue())

    # joblib's default compression (a raw zlib stream) and its lzma one, around a pickle
    # that names os.system.
    import zlib
    import lzma
    write("evil_compressed.joblib", zlib.compress(EVIL, 3))
    write("evil_lzma.joblib", lzma.compress(EVIL, format=lzma.FORMAT_ALONE))

    booster = xgboost.train({"max_depth": 2, "seed": 0, "nthread": 1},
                            xgboost.DMatrix(x, label=y), num_boost_round=2)
    pickled_booster = __import__("pickle").dumps(booster, protocol=2)
    write("model.tar.gz", tar_gz_bytes([("xgboost-model", pickled_booster)]))
    evil_tar = tar_gz_bytes([("xgboost-model", EVIL)])
    write("evil_model.tar.gz", evil_tar)
    write("nested.zip", zip_bytes([("bundle/evil_model.tar.gz", evil_tar)]))

    write("torch_zip.pt", zip_bytes([("archive/data.pkl", TORCH_DATA_PKL),
                                     ("archive/data/0", np.arange(4, dtype="<f4").tobytes()),
                                     ("archive/version", b"3\n")]))
    config = ('{"class_name": "Sequential", "config": {"name": "seq", "layers": ['
              '{"class_name": "InputLayer", "config": {"name": "in"}}, '
              '{"class_name": "Lambda", "config": {"name": "sneaky", "function": '
              '{"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA"}}}}]}}')
    write("lambda.keras", zip_bytes([("metadata.json", b'{"keras_version": "3.0.0"}'),
                                     ("config.json", config.encode()),
                                     ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(64))]))
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    write("object_array.npy", buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
