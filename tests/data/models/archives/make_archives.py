#!/usr/bin/python3
"""Makes the model-archive fixtures from the XGBoost fixtures next door (run from this
folder): a SageMaker-style model.tar.gz holding the model and a code file, a zip holding two
models (so --member is needed), a gzip-compressed single model file, and a tar with no
model. Deterministic: fixed mtimes, sorted entries."""
import gzip
import io
import tarfile
import zipfile

SRC = "../xgboost/"


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1764288000
    tar.addfile(info, io.BytesIO(data))


poisson = open(SRC + "poisson.json", "rb").read()
multiclass = open(SRC + "multiclass.ubj", "rb").read()
with open("sagemaker_model.tar.gz", "wb") as raw:
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w") as tar:
            add(tar, "code/inference.py", b"# serving code (never run by Probity)\n")
            add(tar, "xgboost-model", poisson)
with zipfile.ZipFile("two_models.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in (("a/poisson.json", poisson), ("b/multiclass.ubj", multiclass)):
        z.writestr(zipfile.ZipInfo(name, (2025, 11, 28, 0, 0, 0)), data)
with open("poisson.json.gz", "wb") as raw:
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(poisson)
with open("no_model.tar", "wb") as raw:
    with tarfile.open(fileobj=raw, mode="w") as tar:
        add(tar, "README.txt", b"no model here\n")
