#!/usr/bin/env python3
"""The thesis's eight U-Nets in plain PyTorch: the Python side of the GPU benchmark (issue 8, docs/GPU.md).

Built from the same rules as steel's C++ models (docs/MODELS.md, ARCH_NOTES): segmentation_models 1.0.1's U-Net
on classification_models' pre-activation ResNets and qubvel's EfficientNets, with the same Keras layer names, so
that a steel best.h5 loads into it layer for layer and the Keras parameter counts can be checked against the
thesis's Figure 56.

  unet_reference.py params [FIGURE56_CSV]        counts of every backbone; with the CSV, exit 1 on a mismatch
  unet_reference.py load BEST_H5 BACKBONE        strict load of a steel weight file (every layer, every shape)
  unet_reference.py evaluate BEST_H5 BACKBONE SHARD   that model's mean BCE loss on a shard (eval mode), the
                                                 test_loss steel_eval reports for the same file and shard
  unet_reference.py bench [--backbone B --amp bf16 --channels-last --device cuda --compile ...]
                                                 a training step's images/s, as steel_model_bench measures it
"""
import csv
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

BACKBONES = ["resnet34", "resnet50", "resnet101", "efficientnet-b0", "efficientnet-b1", "efficientnet-b3",
             "efficientnet-b5", "efficientnet-b7"]
MODES = ["thesis", "frozen", "trainable"]


class Layers:
    """Registers modules under their Keras layer names, in Keras order."""

    def __init__(self, owner):
        self.owner, self.names = owner, []

    def add(self, name, module):
        self.owner.add_module(name, module)
        self.names.append(name)
        return module


def bn(channels, eps, scale=True):
    # Keras momentum 0.99 is PyTorch's 0.01. A Keras BatchNormalization(scale=False) has no gamma: affine off
    # plus a separate beta, so that the parameter count matches.
    layer = nn.BatchNorm2d(channels, eps=eps, momentum=0.01, affine=scale)
    if not scale:
        layer.beta = nn.Parameter(torch.zeros(channels))
    return layer


def run_bn(layer, x):
    y = layer(x)
    return y + layer.beta.view(1, -1, 1, 1) if hasattr(layer, "beta") else y


class SameConv(nn.Conv2d):
    """TensorFlow's 'same' padding: asymmetric (more after) for a stride-2 conv on an even input."""

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        pads = []
        for size in (x.shape[3], x.shape[2]):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        if pads[0] == pads[1] and pads[2] == pads[3]:
            return F.conv2d(x, self.weight, self.bias, self.stride, (pads[2], pads[0]), 1, self.groups)
        return F.conv2d(F.pad(x, pads), self.weight, self.bias, self.stride, 0, 1, self.groups)


# ----------------------------------------------------------------------------------------------- ResNet encoder
class ResNetEncoder(nn.Module):
    EPS = 2e-5

    def __init__(self, depth):
        super().__init__()
        reps, self.bottleneck = {18: ((2, 2, 2, 2), False), 34: ((3, 4, 6, 3), False), 50: ((3, 4, 6, 3), True),
                                 101: ((3, 4, 23, 3), True), 152: ((3, 8, 36, 3), True)}[depth]
        self.layers = Layers(self)
        L = self.layers.add
        L("bn_data", bn(3, self.EPS, scale=False))
        L("conv0", nn.Conv2d(3, 64, 7, 2, 3, bias=False))
        L("bn0", bn(64, self.EPS))
        self.units, channels = [], 64
        for s, n in enumerate(reps):
            f = 64 * 2 ** s
            for u in range(n):
                name, stride = f"stage{s + 1}_unit{u + 1}_", (2 if s > 0 and u == 0 else 1)
                out = 4 * f if self.bottleneck else f
                L(name + "bn1", bn(channels, self.EPS))
                if u == 0:
                    L(name + "sc", nn.Conv2d(channels, out, 1, stride, bias=False))
                if self.bottleneck:
                    L(name + "conv1", nn.Conv2d(channels, f, 1, bias=False))
                    L(name + "bn2", bn(f, self.EPS))
                    L(name + "conv2", nn.Conv2d(f, f, 3, stride, 1, bias=False))
                    L(name + "bn3", bn(f, self.EPS))
                    L(name + "conv3", nn.Conv2d(f, out, 1, bias=False))
                else:
                    L(name + "conv1", nn.Conv2d(channels, f, 3, stride, 1, bias=False))
                    L(name + "bn2", bn(f, self.EPS))
                    L(name + "conv2", nn.Conv2d(f, f, 3, 1, 1, bias=False))
                self.units.append((name, s, u))
                channels = out
        L("bn1", bn(channels, self.EPS))
        self.out_channels = channels
        # Stage K's unit-1 pre-activation carries stage K-1's output (K = 4, 3, 2), then the stem's relu0.
        self.skip_channels = [1024, 512, 256, 64] if self.bottleneck else [256, 128, 64, 64]

    def forward(self, x):
        m = self._modules
        x = F.relu(m["bn0"](m["conv0"](run_bn(m["bn_data"], x))))
        skips = [x]  # relu0
        x = F.max_pool2d(x, 3, 2, 1)
        for name, s, u in self.units:
            act = F.relu(m[name + "bn1"](x))
            if u == 0 and s > 0:
                skips.append(act)  # stageK_unit1_relu1
            shortcut = m[name + "sc"](act) if u == 0 else x
            if self.bottleneck:
                y = m[name + "conv1"](act)
                y = m[name + "conv2"](F.relu(m[name + "bn2"](y)))
                y = m[name + "conv3"](F.relu(m[name + "bn3"](y)))
            else:
                y = m[name + "conv1"](act)
                y = m[name + "conv2"](F.relu(m[name + "bn2"](y)))
            x = y + shortcut
        return F.relu(m["bn1"](x)), skips[::-1]


# ----------------------------------------------------------------------------------------- EfficientNet encoder
BASE_STAGES = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
               (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
COEFFICIENTS = {0: (1.0, 1.0), 1: (1.0, 1.1), 2: (1.1, 1.2), 3: (1.2, 1.4), 4: (1.4, 1.8), 5: (1.6, 2.2),
                6: (1.8, 2.6), 7: (2.0, 3.1)}


def round_filters(f, width):
    f *= width
    new = max(8, int(f + 4) // 8 * 8)
    return new + 8 if new < 0.9 * f else new


class EfficientNetEncoder(nn.Module):
    EPS = 1e-3

    def __init__(self, b, drop_connect_rate=0.2):
        super().__init__()
        width, depth = COEFFICIENTS[b]
        self.layers = Layers(self)
        L = self.layers.add
        stem = round_filters(32, width)
        L("stem_conv", SameConv(3, stem, 3, 2, bias=False))
        L("stem_bn", bn(stem, self.EPS))
        self.blocks, index, total = [], 0, sum(s[1] for s in BASE_STAGES)
        self.skip_channels = []
        for s, (k, reps, cin, cout, e, stride) in enumerate(BASE_STAGES):
            cin, cout = round_filters(cin, width), round_filters(cout, width)
            for r in range(int(math.ceil(depth * reps))):
                name, bin_, bstride = f"block{s + 1}{chr(ord('a') + r)}_", (cin if r == 0 else cout), (stride if r == 0 else 1)
                exp = bin_ * e
                if e != 1:
                    L(name + "expand_conv", nn.Conv2d(bin_, exp, 1, bias=False))
                    L(name + "expand_bn", bn(exp, self.EPS))
                L(name + "dwconv", SameConv(exp, exp, k, bstride, groups=exp, bias=False))
                L(name + "bn", bn(exp, self.EPS))
                reduced = max(1, int(bin_ * 0.25))
                L(name + "se_reduce", nn.Conv2d(exp, reduced, 1))
                L(name + "se_expand", nn.Conv2d(reduced, exp, 1))
                L(name + "project_conv", nn.Conv2d(exp, cout, 1, bias=False))
                L(name + "project_bn", bn(cout, self.EPS))
                skip = r == 0 and s + 1 in (2, 3, 4, 6)
                if skip:
                    self.skip_channels.insert(0, exp)
                residual = bstride == 1 and bin_ == cout
                self.blocks.append((name, e != 1, skip, residual, drop_connect_rate * index / total))
                index += 1
        last, top = round_filters(320, width), round_filters(1280, width)
        L("top_conv", nn.Conv2d(last, top, 1, bias=False))
        L("top_bn", bn(top, self.EPS))
        self.out_channels = top

    def forward(self, x):
        m = self._modules
        x = F.silu(m["stem_bn"](m["stem_conv"](x)))
        skips = []
        for name, expand, skip, residual, rate in self.blocks:
            y = x
            if expand:
                y = F.silu(m[name + "expand_bn"](m[name + "expand_conv"](y)))
                if skip:
                    skips.append(y)
            y = F.silu(m[name + "bn"](m[name + "dwconv"](y)))
            se = m[name + "se_expand"](F.silu(m[name + "se_reduce"](y.mean((2, 3), keepdim=True))))
            y = m[name + "project_bn"](m[name + "project_conv"](y * torch.sigmoid(se)))
            if residual:
                if self.training and rate > 0:
                    keep = 1 - rate
                    y = y * torch.empty(y.shape[0], 1, 1, 1, device=y.device, dtype=y.dtype).bernoulli_(keep) / keep
                y = y + x
            x = y
        return F.silu(m["top_bn"](m["top_conv"](x))), skips[::-1]


# ------------------------------------------------------------------------------------------------------- U-Net
class UNet(nn.Module):
    FILTERS = (256, 128, 64, 32, 16)

    def __init__(self, backbone, mode="thesis"):
        super().__init__()
        if backbone.startswith("resnet"):
            self.encoder = ResNetEncoder(int(backbone[len("resnet"):]))
        else:
            self.encoder = EfficientNetEncoder(int(backbone[len("efficientnet-b"):]))
        self.layers = Layers(self)
        cin = self.encoder.out_channels
        for i, f in enumerate(self.FILTERS):
            skip = self.encoder.skip_channels[i] if i < 4 else 0
            for part, c in (("a", cin + skip), ("b", f)):
                self.layers.add(f"decoder_stage{i}{part}_conv", nn.Conv2d(c, f, 3, 1, 1, bias=False))
                self.layers.add(f"decoder_stage{i}{part}_bn", bn(f, 1e-3))
            cin = f
        self.layers.add("final_conv", nn.Conv2d(16, 4, 3, 1, 1))
        self.mode = mode
        for module in self.encoder.modules():
            keep = mode == "trainable" or (mode == "thesis" and isinstance(module, nn.BatchNorm2d))
            for p in module.parameters(recurse=False):
                p.requires_grad_(keep)

    def train(self, mode=True):
        # As steel: a frozen encoder stays in eval mode (running statistics, no drop-connect) while the rest trains.
        super().train(mode)
        if self.mode == "frozen":
            self.encoder.eval()
        return self

    def forward(self, images):
        if self.mode == "frozen":
            with torch.no_grad():
                x, skips = self.encoder(images)
        else:
            x, skips = self.encoder(images)
        m = self._modules
        for i in range(len(self.FILTERS)):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            if i < len(skips):
                x = torch.cat([x, skips[i]], 1)
            for part in "ab":
                x = F.relu(m[f"decoder_stage{i}{part}_bn"](m[f"decoder_stage{i}{part}_conv"](x)))
        return m["final_conv"](x)

    def keras_layers(self):
        """(Keras layer name, module) for every layer with weights, encoder first."""
        return [(n, self.encoder._modules[n]) for n in self.encoder.layers.names] + \
               [(n, self._modules[n]) for n in self.layers.names]


def keras_counts(model):
    """(Keras total, Keras trainable): parameters plus BatchNorm moving statistics; the trainable ones."""
    stats = sum(b.numel() for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var")))
    params = list(model.parameters())
    return sum(p.numel() for p in params) + stats, sum(p.numel() for p in params if p.requires_grad)


# ----------------------------------------------------------------------------------------- Keras weight files
def keras_datasets(module):
    """{Keras dataset name: (tensor, torch-from-keras converter)} of one layer."""
    if isinstance(module, nn.BatchNorm2d):
        out = {"moving_mean:0": (module.running_mean, None), "moving_variance:0": (module.running_var, None)}
        if module.affine:
            out["gamma:0"], out["beta:0"] = (module.weight, None), (module.bias, None)
        else:
            out["beta:0"] = (module.beta, None)
        return out
    depthwise = module.groups > 1
    out = {("depthwise_kernel:0" if depthwise else "kernel:0"):
           (module.weight, (lambda a: a.permute(2, 3, 0, 1)) if depthwise else (lambda a: a.permute(3, 2, 0, 1)))}
    if module.bias is not None:
        out["bias:0"] = (module.bias, None)
    return out


def load_keras_weights(model, path):
    """Copies a Keras-layout HDF5 file (a steel best.h5) into `model`; every layer and shape must match."""
    import h5py
    problems = []
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        expected = dict(model.keras_layers())
        for name in root:
            if name not in expected and len(root[name].keys()) > 0:
                problems.append(f"unexpected layer {name}")
        for name, module in expected.items():
            if name not in root:
                problems.append(f"missing layer {name}")
                continue
            group = root[name][name] if name in root[name] else root[name]
            for dataset, (tensor, convert) in keras_datasets(module).items():
                if dataset not in group:
                    problems.append(f"{name}: missing {dataset}")
                    continue
                value = torch.from_numpy(group[dataset][()])
                value = convert(value) if convert else value
                if tuple(value.shape) != tuple(tensor.shape):
                    problems.append(f"{name}/{dataset}: file {tuple(value.shape)}, model {tuple(tensor.shape)}")
                    continue
                with torch.no_grad():
                    tensor.copy_(value)
            extra = set(group.keys()) - set(keras_datasets(module))
            problems += [f"{name}: unexpected {d}" for d in sorted(extra)]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems[:20]) + (f" ... and {len(problems) - 20} more" if len(problems) > 20 else ""))


def shard_loss(model, path, batch=8):
    """Mean binary cross entropy of the logits over every pixel of every record, as steel_eval computes it: the
    grayscale record / 255 repeated on 3 channels, the mask's class bits as 4 targets."""
    import h5py
    import hdf5plugin  # noqa: F401  (the shards' Blosc filter)
    model.eval()
    total, count = 0.0, 0
    with h5py.File(path, "r") as f, torch.no_grad():
        images, masks = f["images"], f["masks"]
        for start in range(0, images.shape[0], batch):
            img = torch.from_numpy(images[start:start + batch]).float() / 255.0
            bits = torch.from_numpy(masks[start:start + batch]).long()
            x = img.unsqueeze(1).expand(-1, 3, -1, -1).contiguous()
            target = torch.stack([(bits >> c) & 1 for c in range(4)], 1).float()
            loss = F.binary_cross_entropy_with_logits(model(x), target, reduction="sum")
            total += loss.item()
            count += target.numel()
    return total / count


def step_bench(a):
    """steel_model_bench's training step in Python: the same model, loss, optimizer, precision and layout."""
    import time
    import os
    device = torch.device(a.device)
    # As steel's --threads 0: OMP_NUM_THREADS when set, else every CPU this process may use (PyTorch's own default
    # can be fewer).
    torch.set_num_threads(a.threads or int(os.environ.get("OMP_NUM_THREADS") or 0) or len(os.sched_getaffinity(0)))
    if a.warmup < 1:
        raise SystemExit("--warmup must be at least 1 (the first step builds kernels and grows the allocator)")
    torch.manual_seed(0)
    if device.type == "cuda":
        torch.backends.cudnn.allow_tf32 = a.tf32
        torch.backends.cudnn.benchmark = False  # as LibTorch's default: the same algorithm choice on both sides
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = UNet(a.backbone, a.encoder_mode).to(device, memory_format=fmt).train()
    images = torch.rand(a.batch, 3, a.height, a.width, device=device).contiguous(memory_format=fmt)
    masks = (torch.rand(a.batch, 4, a.height, a.width, device=device) > 0.9).float()
    # PyTorch 2's default Adam on a GPU groups its update into multi-tensor kernels, as steel's ForeachAdam does;
    # foreach=False updates one parameter at a time (torch::optim::Adam's way).
    adam = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-4,
                            **({"foreach": False} if a.adam == "per-tensor" else {}))
    forward = torch.compile(model) if a.compile else model

    def step():
        adam.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=a.amp == "bf16"):
            loss = F.binary_cross_entropy_with_logits(forward(images), masks)
        loss.backward()
        adam.step()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(a.warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    sync()
    per_step = (time.perf_counter() - start) / a.steps
    kind = ("compile" if a.compile else "eager") + (" adam-per-tensor" if a.adam == "per-tensor" else "")
    layout = " NHWC" if a.channels_last else ""
    print(f"{a.backbone:16} {a.encoder_mode:9} {a.device} amp {a.amp:4}{layout} batch {a.batch}  {per_step:8.3f} s/step  "
          f"{a.batch / per_step:8.2f} img/s  python {kind}  {torch.get_num_threads()} threads")


def main(argv):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("params", help="Keras counts of every backbone; with the CSV, exit 1 on a mismatch")
    p.add_argument("figure56_csv", nargs="?")
    p = sub.add_parser("load", help="strict load of a steel weight file")
    p.add_argument("best_h5")
    p.add_argument("backbone")
    p = sub.add_parser("evaluate", help="mean BCE loss on a shard, as steel_eval's test_loss")
    p.add_argument("best_h5")
    p.add_argument("backbone")
    p.add_argument("shard")
    p = sub.add_parser("bench", help="training-step speed, as steel_model_bench measures it")
    p.add_argument("--backbone", default="resnet34")
    p.add_argument("--encoder-mode", default="thesis", choices=MODES)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--height", type=int, default=128)
    p.add_argument("--width", type=int, default=800)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--amp", default="off", choices=["off", "bf16"])
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--no-tf32", dest="tf32", action="store_false")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (PyTorch 2)")
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0: OMP_NUM_THREADS or every usable CPU)")
    p.add_argument("--adam", default="default", choices=["default", "per-tensor"],
                   help="PyTorch's default Adam, or one parameter at a time (foreach=False)")
    a = parser.parse_args(argv[1:])

    if a.command == "params":
        thesis = {}
        if a.figure56_csv:
            with open(a.figure56_csv, newline="") as f:
                for row in csv.DictReader(f):
                    thesis[row["backbone"]] = (int(row["total_params"]), int(row["trainable_params"]))
        bad = 0
        print(f"{'backbone':16} {'Keras total':>12} {'trainable':>11}  thesis")
        for b in BACKBONES:
            total, trainable = keras_counts(UNet(b, "thesis"))
            ref = thesis.get(b)
            ok = ref is None or ref == (total, trainable)
            bad += not ok
            print(f"{b:16} {total:12,} {trainable:11,}  {'' if ref is None else ('=' if ok else f'!= {ref}')}")
        return 1 if bad else 0
    model = UNet(a.backbone) if a.command in ("load", "evaluate") else None
    if a.command == "load":
        load_keras_weights(model, a.best_h5)
        print(f"{a.best_h5}: every layer of the {a.backbone} U-Net loaded ({len(model.keras_layers())} layers)")
    elif a.command == "evaluate":
        load_keras_weights(model, a.best_h5)
        print(f"{shard_loss(model, a.shard):.9f}")
    else:
        step_bench(a)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
