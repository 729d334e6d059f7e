#!/usr/bin/env python3
"""Training curves like the thesis's Figures 58-61: per backbone, train and validation Dice and loss per epoch,
one line per fold. Called by steel_report; reads runs/<backbone>/fold_<k>/metrics.csv, writes PNGs.

usage: plot_curves.py RUNS_DIR OUT_DIR BACKBONE [BACKBONE ...]
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")  # no display on cluster nodes
import matplotlib.pyplot as plt  # noqa: E402


def folds(run_dir):
    for name in sorted(os.listdir(run_dir)):
        path = os.path.join(run_dir, name, "metrics.csv")
        if name.startswith("fold_") and os.path.isfile(path):
            with open(path, newline="") as f:
                rows = list(csv.DictReader(f))
            if rows:
                yield name, rows


def main():
    runs, out, backbones = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    for backbone in backbones:
        data = list(folds(os.path.join(runs, backbone)))
        if not data:
            continue
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        for name, rows in data:
            epochs = [int(r["epoch"]) for r in rows]
            for ax, key in zip(axes, ("dice", "loss")):
                line, = ax.plot(epochs, [float(r["train_" + key]) for r in rows], label=f"{name} train")
                ax.plot(epochs, [float(r["val_" + key]) for r in rows], "--", color=line.get_color(),
                        label=f"{name} val")
        for ax, key in zip(axes, ("Dice coefficient", "binary cross entropy")):
            ax.set_xlabel("epoch")
            ax.set_ylabel(key)
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=7, ncol=2)
        fig.suptitle(f"U-Net / {backbone}: training curves per fold")
        fig.tight_layout()
        target = os.path.join(out, f"curves_{backbone}.png")
        fig.savefig(target + ".tmp.png", dpi=100)
        os.replace(target + ".tmp.png", target)
        plt.close(fig)
        print(target)


if __name__ == "__main__":
    main()
