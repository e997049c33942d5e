#!/usr/bin/env python3
"""The OpenCV-DNN peer pipeline for `npm run bench`: YOLOX-Nano on the same clip, the way an OpenCV
user would write it (VideoCapture -> letterbox -> blobFromImage -> forward -> decode -> NMSBoxes).

    python3 bench/opencv_peer.py MODEL.onnx CLIP.mp4 FRAMES

Prints one JSON line: frames, seconds, fps, OpenCV version and threads. Frames are read in order,
looping the clip, none skipped. The clock runs from the first frame's result to the last: the first
forward pass sets the network up (as `bench` measures `run` from its first result to its last), and
the frames after it are counted.
"""
import json
import sys
import time

import cv2
import numpy as np

SIZE = 416
STRIDES = (8, 16, 32)
CONF = 0.25
IOU = 0.45


def grids():
    xs, ys, ss = [], [], []
    for s in STRIDES:
        n = SIZE // s
        gy, gx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        xs.append(gx.ravel())
        ys.append(gy.ravel())
        ss.append(np.full(n * n, s))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ss)


def main():
    model, clip, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
    net = cv2.dnn.readNetFromONNX(model)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    gx, gy, gs = grids()
    cap = cv2.VideoCapture(clip)
    if not cap.isOpened():
        raise SystemExit(f"cannot open {clip}")
    canvas = np.full((SIZE, SIZE, 3), 114, np.uint8)
    done = 0
    detections = 0
    t0 = None
    while t0 is None or done < frames:
        ok, frame = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        h, w = frame.shape[:2]
        r = min(SIZE / w, SIZE / h)
        nw, nh = int(round(w * r)), int(round(h * r))
        canvas[:] = 114
        canvas[:nh, :nw] = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_LINEAR)
        # YOLOX: BGR, 0..255, image at the top-left of the padded square.
        net.setInput(cv2.dnn.blobFromImage(canvas, 1.0, (SIZE, SIZE), swapRB=False))
        out = net.forward()[0]
        obj = out[:, 4]
        keep = obj >= CONF
        rows = out[keep]
        if len(rows):
            cls = rows[:, 5:] * rows[:, 4:5]
            ids = cls.argmax(1)
            scores = cls[np.arange(len(rows)), ids]
            s = gs[keep]
            cx = (rows[:, 0] + gx[keep]) * s
            cy = (rows[:, 1] + gy[keep]) * s
            bw = np.exp(rows[:, 2]) * s
            bh = np.exp(rows[:, 3]) * s
            boxes = np.stack([(cx - bw / 2) / r, (cy - bh / 2) / r, bw / r, bh / r], 1)
            good = scores >= CONF
            idx = cv2.dnn.NMSBoxes(boxes[good].tolist(), scores[good].tolist(), CONF, IOU)
            if t0 is not None:
                detections += len(idx)
        if t0 is None:
            t0 = time.perf_counter()
        else:
            done += 1
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "frames": done,
                "seconds": round(seconds, 2),
                "fps": round(done / seconds, 2),
                "detectionsPerFrame": round(detections / max(1, done), 2),
                "opencv": cv2.__version__,
                "threads": cv2.getNumThreads(),
            }
        )
    )


if __name__ == "__main__":
    main()
