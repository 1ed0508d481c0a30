"""Build the self-contained application folder with PyInstaller (one-folder mode).

    python packaging/build.py [--out DIR] [--work DIR]

The folder `DIR/orchestrator-desktop/` holds the executable `orchestrator-desktop` (`.exe` on
Windows; on macOS also `DIR/OrchestratorChat Desktop.app`), Python, Qt and resources/. It runs
on machines of the same operating system and processor as the one that built it. Needs the
`test` (or `packaging`) extra: `pip install -e '.[packaging]'`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "orchestrator-desktop.spec"
NAME = "orchestrator-desktop"


def executable(out: Path) -> Path:
    """The built executable inside `out`."""
    return out / NAME / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(out: Path, work: Path, quiet: bool = True) -> Path:
    """Run PyInstaller on the spec; return the executable's path."""
    try:
        import PyInstaller.__main__ as pyinstaller
    except ImportError:
        raise SystemExit("PyInstaller is not installed: pip install -e '.[packaging]'") from None
    args = [str(SPEC), "--noconfirm", "--clean", "--distpath", str(out), "--workpath", str(work)]
    if quiet:
        args += ["--log-level", "WARN"]
    pyinstaller.run(args)
    return executable(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist",
                        help="folder to put the bundle in (default: dist/)")
    parser.add_argument("--work", type=Path, default=None,
                        help="PyInstaller's working folder (default: build/ beside --out)")
    parser.add_argument("--verbose", action="store_true", help="show PyInstaller's log")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    work = (args.work or out.parent / "build" / "pyinstaller").resolve()
    started = time.monotonic()
    path = build(out, work, quiet=not args.verbose)
    seconds = time.monotonic() - started
    if not path.is_file():
        print(f"the build finished but {path} is missing", file=sys.stderr)
        return 1
    size = folder_size(path.parent)
    print(f"built {path} in {seconds:.0f} s; the folder holds {size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
