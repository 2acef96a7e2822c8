"""CPU time of one techniques MiniLM tagger window under ONNX Runtime variants of the int8 graph.

    python eval/techniques_tagger_ort.py [--tokens 256] [--rounds 8]

Exports the shipped tagger to float32 ONNX in a temporary folder (as ``techniques_minilm`` does: every
tagger of ``members`` in ``minilm_tagger.json``, one graph whose output is their mean), quantises it as
shipped (dynamic int8, one scale per output channel when the settings say ``per_channel``, else one per
matrix), with the other choice of scales, and with the attention products (activation x activation
MatMul) quantised too, then times random windows of ``--tokens`` pieces (batch 1,
one thread, time.process_time) in each session, the variants taking turns so the shared machine's load
falls on all alike, and prints each one's CPU ms per window and its largest probability difference from
the shipped graph. Session variants of the shipped graph: graph optimisation level extended or basic
instead of all, denormals flushed to zero.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def session(path: Path, level: str = "ORT_ENABLE_ALL", denormal: bool = False) -> Any:
    """A one-thread session as ``embeddings.open_session`` opens it, at graph level ``level``."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if denormal:
        opts.add_session_config_entry("session.set_denormal_as_zero", "1")
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def main(argv: Sequence[str] | None = None) -> int:
    """Print CPU ms per window and the probability difference of each variant."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=256, help="pieces per window, [CLS] and [SEP] included")
    ap.add_argument("--rounds", type=int, default=8, help="rounds of 20 windows per variant")
    args = ap.parse_args(argv)

    import numpy as np
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from tracewire.analyze import techniques_minilm as tm

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "tagger.fp32.onnx"
        weights = tm.shipped_weights()
        if weights is None:
            raise SystemExit("the package lacks a weights file named in minilm_tagger.json's members")
        tm._write_fp32(weights, str(fp32))
        per_channel = bool(tm.shipped_config().get("per_channel", False))
        other = "per-tensor" if per_channel else "per-channel"
        graphs = {"shipped": Path(tmp) / "q.onnx", other: Path(tmp) / "qother.onnx",
                  "int8 attention": Path(tmp) / "qall.onnx"}
        quantize_dynamic(fp32, graphs["shipped"], weight_type=QuantType.QInt8, per_channel=per_channel)
        quantize_dynamic(fp32, graphs[other], weight_type=QuantType.QInt8, per_channel=not per_channel)
        quantize_dynamic(fp32, graphs["int8 attention"], weight_type=QuantType.QInt8, per_channel=per_channel,
                         extra_options={"MatMulConstBOnly": False})
        sessions = {name: session(p) for name, p in graphs.items()}
        sessions["level extended"] = session(graphs["shipped"], "ORT_ENABLE_EXTENDED")
        sessions["level basic"] = session(graphs["shipped"], "ORT_ENABLE_BASIC")
        sessions["denormals as zero"] = session(graphs["shipped"], denormal=True)
        rng = np.random.default_rng(0)
        xs = [rng.integers(1000, 20000, size=(1, args.tokens)).astype(np.int64) for _ in range(20)]
        ref = [sessions["shipped"].run(None, {"input_ids": x})[0] for x in xs]
        diff = {name: max(float(np.abs(s.run(None, {"input_ids": x})[0] - r).max()) for x, r in zip(xs, ref, strict=True))
                for name, s in sessions.items()}
        cpu = dict.fromkeys(sessions, 0.0)
        for _ in range(args.rounds):
            for name, s in sessions.items():
                c0 = time.process_time()
                for x in xs:
                    s.run(None, {"input_ids": x})
                cpu[name] += time.process_time() - c0
    for name in sessions:
        print(f"{name:18s} {cpu[name] / (args.rounds * len(xs)) * 1000:6.2f} ms CPU per {args.tokens}-piece window"
              f"  max |p - shipped| {diff[name]:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
