"""Reads steel_train's TensorBoard event files with TensorBoard's own readers and checks them against the run:
every metrics.csv column per epoch, the loss and images/s of every step, the overlays, the hyperparameters and
the session's end.   tensorboard_log.py FOLD_DIR STEPS_PER_EPOCH OVERLAYS"""
import csv
import glob
import math
import os
import sys

from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import errors, pywrap_tensorflow
from tensorboard.plugins.hparams import metadata as hp_metadata


def strict_events(path):
    """Every event of a file; a bad CRC or a cut record raises (EventAccumulator would only warn)."""
    reader, events = pywrap_tensorflow.PyRecordReader_New(path, 0, None, None), []
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            return events
        events.append(event_pb2.Event.FromString(reader.record()))


def main(fold_dir, steps_per_epoch, overlays):
    files = glob.glob(os.path.join(fold_dir, "events.out.tfevents.*"))
    assert len(files) == 1, f"expected one event file in {fold_dir}, found {files}"
    events = strict_events(files[0])
    assert events[0].file_version == "brain.Event:2", events[0]

    acc = ea.EventAccumulator(fold_dir, size_guidance={ea.SCALARS: 0, ea.IMAGES: 0, ea.TENSORS: 0})
    acc.Reload()
    with open(os.path.join(fold_dir, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    for column in rows[0]:
        if column == "epoch":
            continue
        logged = acc.Scalars("epoch/" + column)
        assert [e.step for e in logged] == [int(r["epoch"]) for r in rows], (column, logged)
        for e, r in zip(logged, rows):
            # float32 in the event file; metrics.csv has %.9g, and fixed decimals for the timing columns
            text = r[column]
            decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 9
            assert math.isclose(e.value, float(text), rel_tol=1e-6, abs_tol=0.5 * 10 ** -decimals), (column, e.value, text)
    steps = len(rows) * steps_per_epoch
    for tag in ("train/loss", "train/images_per_second"):
        logged = acc.Scalars(tag)
        assert [e.step for e in logged] == list(range(1, steps + 1)), (tag, [e.step for e in logged])
        assert all(math.isfinite(e.value) and e.value > 0 for e in logged), tag
    images = [t for t in acc.Tags()["images"] if t.startswith("val/overlay_")]
    assert len(images) == overlays, images
    for tag in images:
        pictures = acc.Images(tag)
        assert [p.step for p in pictures] == [int(r["epoch"]) for r in rows], tag
        assert all(p.encoded_image_string.startswith(b"\x89PNG") and p.width > 0 for p in pictures), tag

    content = acc.PluginTagToContent("hparams")
    start = hp_metadata.parse_session_start_info_plugin_data(content[hp_metadata.SESSION_START_INFO_TAG])
    hparams = {k: getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()}
    assert hparams["backbone"] == "resnet18" and hparams["fold"] == 0 and "lr" in hparams, hparams
    end = hp_metadata.parse_session_end_info_plugin_data(content[hp_metadata.SESSION_END_INFO_TAG])
    assert end.status == 1, end  # STATUS_SUCCESS
    print(f"{files[0]}: {len(events)} events; {len(rows)} epochs x {len(rows[0]) - 1} columns equal metrics.csv; "
          f"{steps} steps; {len(images)} overlay tags; hparams {sorted(hparams)}; session ended with success")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
