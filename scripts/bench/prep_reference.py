#!/usr/bin/env python3
"""A straightforward Python reference of steel_prep's pixel pipeline, for docs/BENCHMARKS.md.

It reproduces the same records as a steel_prep run (read from that run's manifest.csv, so the
test set, balancing and fold plan are identical): parse train.csv and its RLE, decode each JPEG
to grayscale, INTER_AREA resize, the same mask rule, the same augmentations, and write one HDF5
shard per split with h5py (chunked one record per chunk, compressed with the same codec as steel_prep: Blosc
LZ4 + bit-shuffle through hdf5plugin, or gzip level 1). Single process, the way such a script is usually
written. Usage:
    prep_reference.py TRAIN_CSV IMAGE_DIR MANIFEST_CSV OUT_DIR [--size HEIGHT WIDTH] [--compression blosc|gzip]
"""
import argparse
import csv
import os
from collections import defaultdict

import cv2
import h5py
import hdf5plugin
import numpy as np

H0, W0 = 256, 1600
AUGS = {
    "none": (None, 0.0), "hflip": (1, 0.0), "vflip": (0, 0.0), "rot180": (-1, 0.0),
    "rot+10": (None, 10.0), "rot-10": (None, -10.0), "hflip+rot+10": (1, 10.0),
    "hflip+rot-10": (1, -10.0), "vflip+rot+10": (0, 10.0), "vflip+rot-10": (0, -10.0),
}


def read_rle(path):
    masks = defaultdict(dict)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = next(rows)
        for row in rows:
            if header[0] == "ImageId":
                image_id, cls, enc = row
            else:
                key, enc = row
                image_id, cls = key.rsplit("_", 1)
            if enc.strip():
                masks[image_id][int(cls)] = enc
    return masks


def decode_mask(encoded):
    mask = np.zeros(H0 * W0, dtype=np.uint8)
    for cls, enc in encoded.items():
        nums = np.asarray(enc.split(), dtype=np.int64)
        for start, length in zip(nums[0::2] - 1, nums[1::2]):
            mask[start:start + length] |= np.uint8(1 << (cls - 1))
    return mask.reshape(W0, H0).T  # column-major numbering


def resize_mask(mask, h, w):
    out = np.zeros((h, w), dtype=np.uint8)
    for c in range(4):
        plane = ((mask >> c) & 1).astype(np.uint8) * 255
        if plane.any():
            small = cv2.resize(plane, (w, h), interpolation=cv2.INTER_AREA)
            out |= (small >= 128).astype(np.uint8) << c
    return out


def augment(image, mask, name):
    flip, degrees = AUGS[name]
    if flip is not None:
        image, mask = cv2.flip(image, flip), cv2.flip(mask, flip)
    if degrees:
        h, w = image.shape
        m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), degrees, 1.0)
        image = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        mask = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return image, mask


def main():
    parser = argparse.ArgumentParser()
    for name in ["train_csv", "image_dir", "manifest", "out_dir"]:
        parser.add_argument(name)
    parser.add_argument("--size", nargs=2, type=int, default=[128, 800], metavar=("HEIGHT", "WIDTH"))
    parser.add_argument("--compression", choices=["blosc", "gzip"], default="blosc")
    args = parser.parse_args()
    train_csv, image_dir, manifest, out_dir = args.train_csv, args.image_dir, args.manifest, args.out_dir
    h, w = args.size
    if args.compression == "blosc":
        codec = dict(hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
    else:
        codec = dict(compression="gzip", compression_opts=1)
    annotations = read_rle(train_csv)
    splits = defaultdict(list)
    with open(manifest, newline="") as f:
        for row in csv.DictReader(f):
            splits[row["split"]].append((row["image_id"], row["source_id"], row["augmentation"]))
    os.makedirs(out_dir, exist_ok=True)
    for split, records in splits.items():
        n = len(records)
        with h5py.File(os.path.join(out_dir, split + ".h5"), "w") as f:
            images = f.create_dataset("images", (n, h, w), np.uint8, chunks=(1, h, w), **codec)
            masks = f.create_dataset("masks", (n, h, w), np.uint8, chunks=(1, h, w), **codec)
            labels = np.zeros((n, 4), np.uint8)
            cache = {}
            for i, (image_id, source_id, aug) in enumerate(records):
                if source_id not in cache:
                    cache.clear()  # records of one source are adjacent
                    gray = cv2.imread(os.path.join(image_dir, source_id), cv2.IMREAD_GRAYSCALE)
                    mask = decode_mask(annotations.get(source_id, {}))
                    cache[source_id] = (cv2.resize(gray, (w, h), interpolation=cv2.INTER_AREA), resize_mask(mask, h, w))
                image, mask = augment(*cache[source_id], aug)
                images[i] = image
                masks[i] = mask
                labels[i] = [((mask >> c) & 1).any() for c in range(4)]
            f["labels"] = labels
            f["image_id"] = [r[0].encode() for r in records]
    print(f"reference: wrote {sum(len(r) for r in splits.values())} records to {out_dir}")


if __name__ == "__main__":
    main()
