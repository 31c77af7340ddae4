"""The baseline: one model in a plain single-worker uvicorn + FastAPI app, no platform.

Run as ``python bench/baseline_server.py {onnx|pmml} MODEL_FILE PORT``. ``POST /predict``
takes the same ``{"data": [{...}, ...]}`` body as a DaaS service and answers each row's
label and class probabilities. The model runs inline on the event loop (the fastest a
one-process app can be), onnxruntime with one intra-op thread, pypmml called directly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

Scorer = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def onnx_scorer(path: str) -> Scorer:
    """Rows -> label and probabilities with onnxruntime (ZipMap-free classifier)."""
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    features = [item.name for item in session.get_inputs()]
    classes = _onnx_classes(path)

    def score(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        feeds = {name: np.array([[row[name]] for row in rows], dtype=np.float32)
                 for name in features}
        labels, probabilities = session.run(None, feeds)
        return [{"label": str(label), "probabilities": dict(zip(classes, p.tolist()))}
                for label, p in zip(labels, probabilities)]

    return score


def pmml_scorer(path: str) -> Scorer:
    """Rows -> label and probabilities with pypmml, one call per row."""
    from pypmml import Model

    model = Model.load(path).setSupplementOutput(True)
    target = model.targetName
    prefix = "probability("

    def score(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answers = []
        for row in rows:
            result = model.predict(row)
            answers.append({"label": result.get(f"predicted_{target}"),
                            "probabilities": {key[len(prefix):-1]: value
                                              for key, value in result.items()
                                              if key.startswith(prefix)}})
        return answers

    return score


def _onnx_classes(path: str) -> list[str]:
    import onnx

    for node in onnx.load(path).graph.node:
        for attribute in node.attribute:
            if attribute.name == "classlabels_strings":
                return [label.decode() for label in attribute.strings]
    raise ValueError("the ONNX model names no string class labels")


def build_app(score: Scorer) -> FastAPI:
    """``POST /predict``: ``{"data": [records]}`` -> ``{"predictions": [...]}``."""
    app = FastAPI()

    @app.post("/predict")
    async def predict(request: Request) -> dict[str, Any]:
        body = await request.json()
        return {"predictions": score(body["data"])}

    return app


def main() -> None:
    fmt, path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    score = onnx_scorer(path) if fmt == "onnx" else pmml_scorer(path)
    uvicorn.run(build_app(score), host="127.0.0.1", port=port, workers=1, access_log=False,
                log_level="warning")


if __name__ == "__main__":
    main()
