"""Unpacks an insightface verification set (.bin: a pickle of (encoded images, same-person flags), e.g. lfw.bin,
cfp_fp.bin, agedb_30.bin) into image files for the SphereFace evaluator.

Usage: python3 insightface_bin.py SET.bin OUT_DIR
Writes OUT_DIR/000000.jpg (or .png) ... in the set's order (pair i is images 2i and 2i+1) and prints one line of
0/1 flags, one per pair. Errors are one line naming the file.
"""
import pickle
import sys

# A pickle can name any global and so run code: only what these sets are made of may be loaded (bytes and lists, and
# numpy arrays for the sets that store images as uint8 arrays).
ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"), ("numpy", "dtype"),
    ("_codecs", "encode"), ("builtins", "bytearray"),
}


class SetUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: not part of a verification set")


def main():
    source, folder = sys.argv[1], sys.argv[2]
    try:
        with open(source, "rb") as f:
            content = SetUnpickler(f, encoding="bytes").load()  # the sets were pickled by Python 2
    except Exception as e:
        raise SystemExit(f"{source}: not an insightface .bin verification set ({type(e).__name__}: {e})")
    if not (isinstance(content, (tuple, list)) and len(content) == 2):
        raise SystemExit(f"{source}: expected a pickled pair (images, same-person flags), found {type(content).__name__}")
    images, same = content
    images, same = list(images), [bool(s) for s in same]
    if len(images) != 2 * len(same):
        raise SystemExit(f"{source}: {len(images)} images for {len(same)} pairs; expected {2 * len(same)}")
    for i, image in enumerate(images):
        data = image.tobytes() if hasattr(image, "tobytes") else bytes(image)
        extension = ".png" if data[:8] == b"\x89PNG\r\n\x1a\n" else ".jpg"
        with open(f"{folder}/{i:06d}{extension}", "wb") as out:
            out.write(data)
    print("".join("1" if s else "0" for s in same))


if __name__ == "__main__":
    main()
