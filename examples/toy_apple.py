"""The seed system's toy recognizer: five letters (a, e, l, p, z) and the CTC blank, 64x128 RGB crops,
8 time steps, CTC loss, best-path decoding. It learns to read "apple" in well under a minute on a CPU.

Run: python examples/toy_apple.py
"""

import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import ocrmodels  # noqa: E402
import synthgen  # noqa: E402

ALPHABET = "aelpz"  # ids 1..5; id 0 is the blank
STEPS = 8  # "apple" needs 5 letters + a blank between the two p's: 6 <= 8


def make_data(n: int, seed: int):
    """``n`` RGB crops 64x128 of "apple" and random words over the alphabet, with their labels (-1 padded)."""
    vocab_rng = np.random.default_rng(123)  # the same word list for training and test; "apple" about 1 in 11
    words = ["apple"] * 20 + ["".join(vocab_rng.choice(list(ALPHABET), vocab_rng.integers(1, 6))) for _ in range(200)]
    rng = np.random.default_rng(seed)
    gen = synthgen.WordGenerator({"charset": ALPHABET, "height": 64, "width": 128, "color": True,
                                  "rotation_prob": 0.2, "rotation": [-4, 4], "perspective_prob": 0, "curve_prob": 0,
                                  "shear_prob": 0, "jpeg_prob": 0, "blur_prob": 0.1, "text_height": [0.6, 0.9]},
                                 titles=words)
    x = np.empty((n, 64, 128, 3), np.float32)
    y = np.full((n, 5), -1, np.int32)
    texts = []
    for i in range(n):
        s = gen.make_sample(rng)
        x[i] = s.image / 255.0
        y[i, : len(s.text)] = [ALPHABET.index(c) + 1 for c in s.text]
        texts.append(s.text)
    return x, y, texts


def toy_model() -> keras.Model:
    """64x128x3 -> 8 time steps x 6 classes (blank + 5 letters)."""
    inp = keras.Input((64, 128, 3))
    h = inp
    for filters in (16, 32, 48, 64):  # each halves height and width: 64x128 -> 4x8
        h = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
        h = keras.layers.BatchNormalization()(h)
        h = keras.layers.MaxPooling2D(2)(keras.layers.ReLU()(h))
    h = keras.layers.Permute((2, 1, 3))(h)  # width first: 8 x 4 x 64
    h = keras.layers.Reshape((STEPS, 4 * 64))(h)
    h = keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True))(h)
    out = keras.layers.Dense(len(ALPHABET) + 1, activation="softmax")(h)
    return keras.Model(inp, out)


def main():
    keras.utils.set_random_seed(0)
    t = time.perf_counter()
    x, y, _ = make_data(2500, seed=0)
    xt, _, texts = make_data(200, seed=1)
    print(f"rendered {len(x)} training and {len(xt)} test crops in {time.perf_counter() - t:.1f} s")
    model = toy_model()
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=ocrmodels.CTCLoss(), jit_compile=False)
    t = time.perf_counter()
    model.fit(x, y, batch_size=32, epochs=10, verbose=2)
    print(f"trained in {time.perf_counter() - t:.1f} s")
    decoded = ocrmodels.greedy_decode(model.predict(xt, verbose=0), ALPHABET)
    acc = np.mean([d == t for (d, _), t in zip(decoded, texts)])
    apples = [d for (d, _), t in zip(decoded, texts) if t == "apple"]
    print(f"test word accuracy {acc:.1%}; {apples.count('apple')} of {len(apples)} 'apple' crops read as 'apple' "
          f"(first ones: {apples[:6]})")
    return acc, apples


if __name__ == "__main__":
    main()
