"""How much a CIFAR model loses when a test photo arrives as a phone would send it: enlarged to
512×512, widened to 4:3 with its edges extended (more scene around the object), saved as JPEG
quality 85, then read back through the Photo page's preprocessing (``data.photos.prepare``:
centred square, shrink to 32×32).

    python -m benchmarks.phone_photos --save   # benchmarks/results/phone_photos.json
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def as_phone_photo(photo) -> bytes:
    import numpy as np
    from PIL import Image

    big = np.asarray(Image.fromarray(photo).resize((512, 512), Image.Resampling.BICUBIC))
    wide = np.pad(big, ((0, 0), (85, 85), (0, 0)), mode="edge")  # 682×512, about 4:3
    out = io.BytesIO()
    Image.fromarray(wide).save(out, "JPEG", quality=85)
    return out.getvalue()


def run(n: int = 1000, key: str = "cifar_cnn") -> dict:
    import numpy as np

    from data import catalog, photos
    from models import store

    x, y = catalog.get(catalog.CIFAR10).load_test()
    pick = np.random.default_rng(0).choice(len(x), n, replace=False)
    model = store.load_pretrained(key)
    clean = np.asarray(model.predict_on_batch(x[pick].astype("float32"))).argmax(1)
    phone = np.stack([photos.model_input(as_phone_photo(x[i])) for i in pick])
    sent = np.asarray(model.predict_on_batch(phone)).argmax(1)
    return {"model": key, "n": n, "accuracy_clean": float((clean == y[pick]).mean()),
            "accuracy_phone": float((sent == y[pick]).mean())}


def main() -> None:
    from benchmarks import provenance

    provenance.save_cli("phone_photos", run, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
