"""Put a dataset's files into the data dir, verified: MNIST downloaded, catvnoncat copied.

MNIST: download the IDX files with pooch, checking the decompressed payload, into ``<dest>/mnist``.

Why not pooch's ``known_hash``: mirrors serve different gzip bytes for the same images (files get
re-compressed), so a hash of the ``.gz`` rejects good copies. We download with
``known_hash=None`` into a staging folder inside ``dest``, decompress, check the IDX header
(magic, counts, exact length) and the MD5 of the decompressed payload, and only when every
requested file passes do they move into ``<dest>/mnist`` (``os.replace``, same filesystem).
Anything that fails leaves ``dest`` as it was. Mirrors are tried in order for each file; the
first one that delivers a verified payload wins. When none does, the error gives the last
mirror's full cause and says which files to place where by hand.

catvnoncat (deeplearning.ai's cat-vs-noncat HDF5 files) has no official download, so no URL is
guessed: ``fetch_catvnoncat`` verifies the files already in ``<dest>/catvnoncat`` or copies them
from a folder the user names, and otherwise says what to place where.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from nnlab.data import data_dir_option, hdf5, mnist
from nnlab.errors import ConfigError, DataError, OptionError
from nnlab.fileio import make_folders, root_problem
from nnlab.filestate import leads_nowhere, link_nowhere
from nnlab.output import counted

MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

# MD5 of the DECOMPRESSED IDX payloads (not the .gz bytes, which differ between mirrors).
# t10k: checked against /work/shared/data/mnist (its README gives the same values). train: the
# values published with those same t10k values in many independent MNIST download scripts; the
# header/length check below (60,000 items, exact byte count) guards them as well.
PAYLOAD_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
COUNTS = {"train": 60000, "t10k": 10000}


def verify(path: Path, stem: str) -> str:
    """Check ``path`` holds the official ``stem`` payload (gz or raw); its MD5, or DataError."""
    payload = mnist.read_payload(path)
    magic = mnist.IMAGES_MAGIC if "images" in stem else mnist.LABELS_MAGIC
    arr = mnist.parse_idx(payload, magic, path)
    want_n = COUNTS[stem.split("-")[0]]
    if len(arr) != want_n:
        raise DataError(f"{path}: {counted(len(arr), 'item')}, expected {want_n} for {stem}")
    md5 = hashlib.md5(payload).hexdigest()
    if md5 != PAYLOAD_MD5[stem]:
        raise DataError(
            f"{path}: decompressed payload MD5 {md5}, expected {PAYLOAD_MD5[stem]} (corrupt copy)"
        )
    return md5


def fetch(
    dataset: str,
    dest: Path,
    mirrors: Sequence[str] | None = None,
    only: Sequence[str] | None = None,
    source: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Path, list[Path]]:
    """``nnlab data fetch``: ``dataset`` (mnist or catvnoncat) into the data dir ``dest``; (the
    folder its files are in, the files). mnist's parts ``only`` (default both) are downloaded
    from ``mirrors`` (``fetch_mnist``); catvnoncat's files copied from ``source``
    (``fetch_catvnoncat``). An option of the other one is refused (OptionError): ``--from``
    beside mnist (the MNIST files a newcomer has need no copy), ``--mirror`` or ``--only``
    beside catvnoncat."""
    if dataset == "mnist":
        if source is not None:
            raise OptionError(
                "--from",
                "goes with catvnoncat (mnist is downloaded); MNIST files you have are read where "
                "they are: give the folder holding mnist/ as --data-dir",
            )
        which = list(only) if only else ["t10k", "train"]
        return dest / "mnist", fetch_mnist(dest, mirrors or None, which, progress=progress)
    if mirrors or only:
        option = "--mirror" if mirrors else "--only"
        raise OptionError(option, "goes with mnist (catvnoncat has no download)")
    return dest / CATVNONCAT_DIR, fetch_catvnoncat(dest, source, progress=progress)


def fetch_mnist(
    dest: Path,
    mirrors: Sequence[str] | None = None,
    which: Iterable[str] = ("t10k", "train"),
    progress: Callable[[str], None] | None = None,
    timeout: float = 60.0,
) -> list[Path]:
    """Fetch MNIST's ``which`` parts ("t10k", "train") into ``<dest>/mnist``; the file paths.

    Files already there with a verified payload are kept. ``mirrors`` (default ``MIRRORS``) are
    base URLs tried in order. ``progress`` receives one-line status messages. Raises DataError
    naming every mirror's failure when a file cannot be fetched from any of them; ``dest`` is then
    left as it was (no partial files).
    """
    which = list(which)
    bad = [w for w in which if w not in mnist.PARTS]
    if bad or not which:
        raise ConfigError(f"mnist parts {bad or which}: expected some of {', '.join(mnist.PARTS)}")
    mirrors = [m if m.endswith("/") else m + "/" for m in (mirrors or MIRRORS)]
    say = progress or (lambda _msg: None)
    dest = Path(dest).expanduser()
    folder = dest / "mnist"
    names = [stem for part in which for stem in mnist.stems(part)]

    done: dict[str, Path] = {}
    stale: dict[str, Path] = {}
    for stem in names:
        existing = mnist.find(folder, stem)
        if existing is None:
            continue
        try:
            verify(existing, stem)
            done[stem] = existing
            say(f"{existing}: present, payload verified")
        except DataError as exc:
            say(f"{exc}; fetching it again")
            stale[stem] = existing
    todo = [s for s in names if s not in done]
    if not todo:
        return [done[s] for s in names]

    by_hand = (
        f"to install by hand, place {', '.join(f'{s}.gz' for s in todo)} in {folder}{os.sep} "
        f"(gzipped or not; `{again(dest, which)}` then verifies them), or name another mirror "
        "with --mirror URL (a base URL serving those files)"
    )
    with staging_in(dest) as staging:
        staged = {stem: _download(stem, mirrors, staging, say, timeout, by_hand) for stem in todo}
        folder.mkdir(exist_ok=True)
        for stem, path in staged.items():
            target = folder / path.name
            os.replace(path, target)
            if stem in stale and stale[stem] != target:
                stale[stem].unlink(missing_ok=True)  # the corrupt copy would shadow the new one
            done[stem] = target
            say(f"{target}: saved")
    return [done[s] for s in names]


def again(dest: Path, which: Sequence[str]) -> str:
    """The fetch command that verifies files placed by hand: this one's parts and data dir (it
    said `nnlab data fetch mnist` to a user who had given --only t10k --data-dir D, which then
    looked in the default folder for both parts)."""
    only = f" --only {which[0]}" if len(set(which)) == 1 else ""
    return f"nnlab data fetch mnist{only}{data_dir_option(dest)}"


@contextmanager
def staging_in(dest: Path) -> Iterator[Path]:
    """A fresh staging folder inside ``dest`` (made if absent), removed however the block ends.
    Entered before any download or copy, once the files already there are known not to do:
    a ``dest`` that cannot take them (a file, in a file, a folder that takes no new file, or
    not there and its nearest parent takes none: ``fileio.root_problem``) is an OptionError
    naming --data-dir (it was an OS error, exit 1, naming a temp file or the missing folder).

    When the block raises, ``dest`` is removed too if this call created it and it is empty, so
    a failed fetch leaves the data dir as it was.
    """
    if (problem := root_problem(dest, "--data-dir")) is not None:
        raise OptionError("--data-dir", problem)
    created = not dest.exists()
    make_folders(dest)
    staging = Path(tempfile.mkdtemp(prefix=".nnlab-fetch-", dir=dest))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(dest.iterdir()):
            dest.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _download(
    stem: str,
    mirrors: list[str],
    staging: Path,
    say: Callable[[str], None],
    timeout: float,
    by_hand: str,
) -> Path:
    """Download ``stem``.gz from the first mirror that gives a verified payload; the staged path.

    When every mirror fails: a DataError with each mirror's reason (the last one's full cause,
    not cut short: offline, it is the one that says why) and ``by_hand``, what to do instead.
    """
    import pooch

    failures: list[tuple[str, str]] = []  # (short reason, full cause) per mirror
    for i, base in enumerate(mirrors):
        url = f"{base}{stem}.gz"
        where = staging / str(i)
        say(f"downloading {url}")
        try:
            downloader = (
                pooch.HTTPDownloader(timeout=timeout)
                if url.startswith(("http://", "https://"))
                else None
            )
            logger = pooch.get_logger()
            level = logger.level
            logger.setLevel(logging.WARNING)  # known_hash=None makes pooch log a hint we don't want
            try:
                got = Path(
                    pooch.retrieve(
                        url, None, fname=f"{stem}.part", path=where, downloader=downloader
                    )
                )
            finally:
                logger.setLevel(level)
            # a server may send Content-Encoding: gzip, which requests undoes: keep what came.
            path = got.with_name(f"{stem}.gz" if got.read_bytes()[:2] == mnist.GZIP_MAGIC else stem)
            got.rename(path)
            md5 = verify(path, stem)
            say(f"{url}: payload MD5 {md5} ok")
            return path
        except DataError as exc:
            text = _one_line(str(exc).replace(str(where) + os.sep, ""))
            failures.append((f"{url}: {text}", f"{url}: {text}"))
        except Exception as exc:  # network trouble of any kind: try the next mirror
            failures.append((f"{url}: {_reason(exc)}", f"{url}: {_cause(exc)}"))
        say(f"failed: {failures[-1][0]}")
        shutil.rmtree(where, ignore_errors=True)
    reasons = [short for short, _ in failures[:-1]] + [failures[-1][1]]
    raise DataError(f"could not fetch {stem}.gz from any mirror: {'; '.join(reasons)}; {by_hand}")


def _reason(exc: Exception) -> str:
    """A short reason for a download failure: the HTTP status, or the root cause in a line."""
    response = getattr(exc, "response", None)
    if response is not None and getattr(response, "status_code", None):
        return f"HTTP {response.status_code}"
    name = type(exc).__name__
    text = str(exc)
    if "refused" in text.lower():
        return f"{name}: connection refused"
    if "timed out" in text.lower() or "timeout" in name.lower():
        return f"{name}: timed out"
    root = _root(exc)
    return _cause(root) if root is not exc else f"{name}: {_one_line(text)}"


def _cause(exc: BaseException) -> str:
    """``Type: message`` of ``exc`` in full, on one line (object addresses left out)."""
    text = re.sub(r"<([\w.]+) object at 0x[0-9a-fA-F]+>", r"<\1>", str(exc))
    return f"{type(exc).__name__}: {_one_line(text)}"


def _root(exc: BaseException) -> BaseException:
    """The innermost error ``exc`` wraps: requests keeps urllib3's in ``args[0]``, whose
    ``reason`` is the cause (e.g. NameResolutionError: "Failed to resolve 'host' (...)")."""
    seen = {id(exc)}
    while True:
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException) and exc.args:
            inner = exc.args[0]
        if not isinstance(inner, BaseException) or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------------- catvnoncat
class H5File(NamedTuple):
    """One catvnoncat file as the known copy has it: bytes, datasets, images + labels digest."""

    name: str
    sha256: str  # of the file as stored in the shared data folder
    content_sha256: str  # of the images' uint8 bytes then the labels as little-endian int64
    x: str
    y: str
    n: int


CATVNONCAT_DIR = "catvnoncat"
CATVNONCAT = [
    H5File(
        "train_catvnoncat.h5",
        "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
        "f19135472731081e70474f7c5ee3ce3d87911a74cc4fb4304cac932037506996",
        "train_set_x",
        "train_set_y",
        209,
    ),
    H5File(
        "test_catvnoncat.h5",
        "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
        "cc71f43ca60bb555ad8f09e4126400c8dedbb6a4fed536b9724b5f89f7dcf048",
        "test_set_x",
        "test_set_y",
        50,
    ),
]
IMAGE_SHAPE = (64, 64, 3)


def layout(spec: H5File) -> str:
    """What ``spec``'s file must hold, for a message."""
    shape = ", ".join(map(str, (spec.n, *IMAGE_SHAPE)))
    return f"{spec.name} (datasets {spec.x} ({shape}) uint8, {spec.y} ({spec.n},) labels 0/1)"


def verify_catvnoncat(path: Path, spec: H5File) -> str:
    """Check ``path`` is the known ``spec`` file; how it was verified, or DataError.

    The file's SHA-256 first; when that differs (an HDF5 file re-saved elsewhere changes its
    bytes, as re-compression changed MNIST's gzip bytes), the loader reads the datasets and their
    shapes and the digest of the images and labels must match instead.
    """
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if digest == spec.sha256:
        return f"SHA-256 {digest[:16]}... as the known copy"
    part = hdf5.read_xy(Path(path), spec.x, spec.y, spec.name.split("_")[0])
    want = (spec.n, *IMAGE_SHAPE)
    got = (len(part.y), *part.shape)
    if got != want or part.X.dtype != "uint8":
        raise DataError(
            f"{path}: dataset {spec.x!r} holds {part.X.dtype} images of shape {got}; expected "
            f"{layout(spec)}"
        )
    labels = hdf5.class_labels(part, Path(path), spec.y, spec.n)
    content = hashlib.sha256(part.X.tobytes() + labels.astype("<i8").tobytes()).hexdigest()
    if content != spec.content_sha256:
        raise DataError(
            f"{path}: not the known copy: file SHA-256 {digest}, expected {spec.sha256}, and "
            f"its images and labels differ too (SHA-256 {content}, expected "
            f"{spec.content_sha256}); a corrupt or a different file"
        )
    return "images and labels as the known copy (the file's bytes differ)"


def fetch_catvnoncat(
    dest: Path, source: Path | None = None, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """The two catvnoncat files in ``<dest>/catvnoncat``, verified; copied from ``source``.

    There is no official download (the files come with deeplearning.ai's course), so nothing is
    fetched from the network: files already in place are verified and kept; the others are
    copied from ``source`` (the folder holding them, or holding ``catvnoncat/``) once verified
    there, through a staging folder. Without ``source``, a missing or corrupt file is a DataError
    saying what to place where. A failed copy leaves ``dest`` as it was.
    """
    say = progress or (lambda _msg: None)
    dest = Path(dest).expanduser()
    folder = dest / CATVNONCAT_DIR
    done: dict[str, Path] = {}
    problems: list[str] = []
    for spec in CATVNONCAT:
        path = folder / spec.name
        if not path.is_file():
            continue
        try:
            say(f"{path}: present, {verify_catvnoncat(path, spec)}")
            done[spec.name] = path
        except DataError as exc:
            problems.append(str(exc))
            say(f"{exc}" + ("; copying it again" if source is not None else ""))
    todo = [spec for spec in CATVNONCAT if spec.name not in done]
    if not todo:
        return [done[spec.name] for spec in CATVNONCAT]
    if source is None:
        raise DataError(_place_by_hand(folder, todo, problems))

    found = {spec.name: _find_source(Path(source).expanduser(), spec, folder) for spec in todo}
    with staging_in(dest) as staging:
        for spec in todo:
            say(f"{found[spec.name]}: {verify_catvnoncat(found[spec.name], spec)}")
            shutil.copyfile(found[spec.name], staging / spec.name)
        folder.mkdir(exist_ok=True)
        for spec in todo:
            os.replace(staging / spec.name, folder / spec.name)
            done[spec.name] = folder / spec.name
            say(f"{folder / spec.name}: saved")
    return [done[spec.name] for spec in CATVNONCAT]


def _place_by_hand(folder: Path, todo: list[H5File], problems: list[str]) -> str:
    """The message when files are missing or wrong and no folder to copy from was given."""
    missing = [spec.name for spec in todo if not (folder / spec.name).is_file()]
    what = "; ".join(problems + ([f"{folder}: no {' or '.join(missing)}"] if missing else []))
    return (
        f"{what}; catvnoncat has no official download: place "
        f"{' and '.join(layout(spec) for spec in todo)} in {folder}{os.sep}, or copy them from a "
        "folder you have with `nnlab data fetch catvnoncat --from DIR`"
    )


def _find_source(source: Path, spec: H5File, folder: Path) -> Path:
    """``spec``'s file in ``source`` or ``source/catvnoncat``, or DataError naming both."""
    if not source.is_dir():  # (one that does not exist was called 'not a folder' too; a
        why = "not a folder" if source.exists() else "no such folder"  # loop 'no such folder')
        why = link_nowhere(source) if leads_nowhere(source) else why
        raise DataError(f"{source}: {why} (--from names the folder holding {spec.name})")
    candidates = [source / spec.name, source / CATVNONCAT_DIR / spec.name]
    for path in candidates:
        if path.is_file():
            return path
    looked = " or ".join(str(c) for c in candidates)
    raise DataError(
        f"{source}: no {spec.name} (looked for {looked}); expected {layout(spec)}, which "
        f"is copied to {folder}{os.sep}"
    )
