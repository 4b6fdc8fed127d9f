"""Training throughput and model FLOPs utilisation (MFU) of a PhoBERT-base-sized token classifier on one GPU.

Random init (no Hub access on the GPU machine): RoBERTa, 12 layers, hidden 768, 12 heads, FFN 3072,
vocab 64001, max_position_embeddings 258 (PhoBERT-base's shape, ~135M parameters), 9 BIO labels.
The step is what `vner train --bf16` runs under the HF Trainer: bf16 autocast, fp32 master weights, AdamW.

    MFU = 6 * N * tokens_per_second / peak_flops

with N = all parameters (embeddings included, the usual convention; 6 = 2 forward + 4 backward FLOPs per
parameter per token) and peak = dense bf16 peak of the GPU (H100 SXM: 989 TFLOP/s). The 6N formula leaves out
attention's own matmuls (12 * layers * hidden * seq per token), so the figure "with attention" is printed too.

    python benchmarks/gpu_train.py                     # needs CUDA
    python benchmarks/gpu_train.py --cpu-smoke         # 2-layer shape check on CPU, no figures worth reading
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from transformers import RobertaConfig, RobertaForTokenClassification

PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12}


def peak_flops(name: str) -> float:
    for key, value in PEAK_BF16.items():
        if key in name:
            return value
    return float("nan")


def run(cfg: RobertaConfig, *, batch: int, seq: int, steps: int, warmup: int, compile_model: bool, device: str) -> dict:
    torch.manual_seed(0)
    model = RobertaForTokenClassification(cfg).to(device)
    model.train()
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, fused=device == "cuda")
    step_fn = model
    if compile_model:
        step_fn = torch.compile(model)
    # ids >= 4 (skip special tokens); full-length sequences: MFU measures the hardware, not padding
    input_ids = torch.randint(4, cfg.vocab_size, (batch, seq), device=device)
    input_ids[:, 0], input_ids[:, -1] = 0, 2
    attention_mask = torch.ones_like(input_ids)
    labels = torch.randint(0, cfg.num_labels, (batch, seq), device=device)
    autocast = torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda")

    def one_step() -> float:
        with autocast:
            loss = step_fn(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(warmup):
        one_step()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = one_step()
    if device == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    tokens_per_s = batch * seq * steps / dt
    attn_flops_per_token = 12 * cfg.num_hidden_layers * cfg.hidden_size * seq  # fwd+bwd of QK^T and AV
    return {
        "compile": compile_model,
        "batch": batch,
        "seq_len": seq,
        "params": n_params,
        "step_ms": 1000 * dt / steps,
        "tokens_per_s": tokens_per_s,
        "samples_per_s": batch * steps / dt,
        "model_tflops_6N": 6 * n_params * tokens_per_s / 1e12,
        "model_tflops_with_attention": (6 * n_params + attn_flops_per_token) * tokens_per_s / 1e12,
        "peak_mem_gib": torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else float("nan"),
        "final_loss": float(loss.detach()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch-sizes", default="32,128", help="comma-separated per-step batch sizes")
    ap.add_argument("--seq-len", type=int, default=256, help="tokens per sequence (PhoBERT max: 256)")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile runs")
    ap.add_argument("--cpu-smoke", action="store_true", help="tiny shape check on CPU")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() and not args.cpu_smoke else "cpu"
    layers, hidden, heads, ffn = (12, 768, 12, 3072) if not args.cpu_smoke else (2, 64, 2, 128)
    cfg = RobertaConfig(
        vocab_size=64001,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=ffn,
        max_position_embeddings=258,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        num_labels=9,
        attn_implementation="sdpa",
    )
    gpu = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    peak = peak_flops(gpu)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    print(f"device: {gpu}; torch {torch.__version__}; dense bf16 peak used for MFU: {peak / 1e12:.0f} TFLOP/s")
    print("MFU = 6 * params * tokens/s / peak (attention matmuls excluded; 'MFU+attn' adds 12*L*H*seq per token)")
    results = []
    seq = args.seq_len if not args.cpu_smoke else 32
    batches = [int(b) for b in args.batch_sizes.split(",")] if not args.cpu_smoke else [4]
    for compile_model in [False] if args.no_compile or args.cpu_smoke else [False, True]:
        for batch in batches:
            r = run(
                cfg,
                batch=batch,
                seq=seq,
                steps=args.steps if not args.cpu_smoke else 2,
                warmup=args.warmup if not args.cpu_smoke else 1,
                compile_model=compile_model,
                device=device,
            )
            r["mfu"] = r["model_tflops_6N"] * 1e12 / peak
            r["mfu_with_attention"] = r["model_tflops_with_attention"] * 1e12 / peak
            results.append(r)
            print(
                f"compile={str(compile_model):5s} batch={batch:4d} seq={seq}: {r['tokens_per_s']:,.0f} tokens/s "
                f"({r['samples_per_s']:,.0f} seq/s, {r['step_ms']:.1f} ms/step), "
                f"{r['model_tflops_6N']:.0f} TFLOP/s -> MFU {100 * r['mfu']:.1f}% "
                f"(MFU+attn {100 * r['mfu_with_attention']:.1f}%), peak mem {r['peak_mem_gib']:.1f} GiB, "
                f"loss {r['final_loss']:.3f}",
                flush=True,
            )
    print(f"params: {results[0]['params']:,}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": gpu, "peak_flops": peak, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
