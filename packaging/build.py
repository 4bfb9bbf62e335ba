"""Build the LlamaDesk bundle for the OS this runs on, into dist/.

    pip install -e ".[packaging]"      # PyInstaller, Pillow and the starter model
    python packaging/build.py

Makes dist/LlamaDesk/ (a one-folder PyInstaller bundle) and then, by platform:

- Linux: dist/LlamaDesk-<version>-linux-<arch>.tar.gz, with install.sh (copies the bundle to
  ~/.local/share/LlamaDesk-app, registers the desktop entry and icons) and uninstall.sh.
- macOS: dist/LlamaDesk.app (Info.plist, .icns icon) and dist/LlamaDesk-<version>-macos-<arch>.zip.
- Windows: LlamaDesk.exe (version information, .ico icon), llamadesk-cli.exe for the
  terminal, and dist/LlamaDesk-<version>-windows-<arch>.zip.

It prints what takes the space in the bundle, and checks how the installed llama-cpp-python
was compiled, because the bundle ships that very build of llama.cpp:

- pip compiles llama.cpp from source with GGML_NATIVE=ON: for the CPU of the machine that
  built it. A bundle of such a build can die with "Illegal instruction" (SIGILL) on an older
  CPU. For a bundle to hand out, reinstall llama-cpp-python without -march=native first:

      CMAKE_ARGS="-DGGML_NATIVE=OFF" \\
        pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python==0.3.36

  On x86-64 that build needs AVX2, FMA and F16C (Intel Haswell 2013, AMD Zen and later);
  on arm64 the base ARMv8 instructions. llama.cpp can also build every CPU variant and pick
  one at run time (-DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON, in the llama.cpp that
  0.3.36 vendors), but llama-cpp-python 0.3.36 never calls ggml_backend_load_all(), so such
  a build loads no backend and every model fails to load (llama-cpp-python issue #2069).
  The check below says so if it finds one.

- CUDA (Linux, Windows; the CUDA toolkit installed):
      CMAKE_ARGS="-DGGML_CUDA=ON -DGGML_NATIVE=OFF" pip install --no-cache-dir ...
  The bundle then holds the CUDA runtime libraries (several hundred MB) and needs an
  NVIDIA driver on the user's machine.
- Metal (macOS on Apple silicon; pip's default there already):
      CMAKE_ARGS="-DGGML_METAL=ON -DGGML_NATIVE=OFF" pip install --no-cache-dir ...

Always pass --no-cache-dir with CMAKE_ARGS: pip caches the wheel it compiled under the
package's name and version, so a build with other options would replace the cached one
that every other environment on the machine then installs.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE = DIST / "LlamaDesk"
# Instructions past the portable baseline (AVX2, FMA, F16C on x86-64): finding any of them
# in llama.cpp's compiled features means the build was made for a newer CPU than most.
BEYOND_BASELINE = ("AVX512", "AVX_VNNI", "AMX", "SVE", "SME")


def main() -> int:
    from llamadesk import __version__

    check_llama_build()
    started = time.perf_counter()
    if sys.platform == "win32":
        write_windows_version(__version__)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level=WARN",
            f"--distpath={DIST}",
            f"--workpath={WORK}",
            str(PACKAGING / "llamadesk.spec"),
        ],
        check=True,
    )
    archive = package(__version__)
    elapsed = time.perf_counter() - started
    print_sizes(BUNDLE)
    print(f"\nBuilt {archive.relative_to(ROOT)} in {elapsed:.0f} s.")
    return 0


def check_llama_build() -> None:
    """Say how portable the installed llama.cpp is; warn loudly when it may not be."""
    import llama_cpp

    lib = Path(llama_cpp.__file__).parent / "lib"
    if any(path.name.startswith(("libggml-cpu-", "ggml-cpu-")) for path in lib.iterdir()):
        _warn(
            "llama.cpp was built with GGML_BACKEND_DL (one CPU library per CPU variant), but "
            "llama-cpp-python 0.3.36 does not load backends itself: every model load will "
            "fail. Rebuild with CMAKE_ARGS=-DGGML_NATIVE=OFF (see this script's docstring)."
        )
        return
    info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    # "CPU : SSE3 = 1 | AVX = 1 | ... | REPACK = 1 |": the instruction sets compiled in.
    parts = info.split(":", 1)[-1].split("|")
    features = sorted({part.split("=")[0].strip() for part in parts if "= 1" in part})
    print(f"llama.cpp CPU build: {', '.join(features)}")
    newer = [name for name in features if name.startswith(BEYOND_BASELINE)]
    if newer:
        _warn(
            f"llama.cpp was compiled for this machine's CPU ({', '.join(newer)}): the bundle "
            "will crash with SIGILL (illegal instruction) on CPUs without them."
        )
    elif "-DGGML_NATIVE=OFF" not in os.environ.get("CMAKE_ARGS", ""):
        _warn(
            "llama.cpp was probably compiled by pip with GGML_NATIVE=ON (-march=native): fine "
            "for this machine, but the bundle may crash with SIGILL on older CPUs. For a "
            'release, reinstall it with CMAKE_ARGS="-DGGML_NATIVE=OFF" (see the docstring).'
        )


def _warn(message: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\nWARNING: {message}\n{bar}\n", file=sys.stderr, flush=True)


def write_windows_version(version: str) -> None:
    """The version resource the spec gives LlamaDesk.exe (Explorer's Details tab shows it)."""
    numbers = [int(part) for part in version.split(".")[:3] if part.isdigit()]
    numbers += [0] * (4 - len(numbers))
    quad = tuple(numbers)
    strings = {
        "CompanyName": "The LlamaDesk team",
        "FileDescription": "LlamaDesk",
        "FileVersion": version,
        "InternalName": "LlamaDesk",
        "LegalCopyright": "MIT licensed",
        "OriginalFilename": "LlamaDesk.exe",
        "ProductName": "LlamaDesk",
        "ProductVersion": version,
    }
    entries = ",\n".join(f"        StringStruct({k!r}, {v!r})" for k, v in strings.items())
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={quad}, prodvers={quad}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
{entries}
    ])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    WORK.parent.mkdir(parents=True, exist_ok=True)
    (WORK.parent / "windows-version.txt").write_text(text, encoding="utf-8")


def package(version: str) -> Path:
    """Wrap the bundle the way its platform installs things; returns the archive."""
    arch = {"amd64": "x64", "x86_64": "x64", "aarch64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    if sys.platform == "darwin":
        archive = DIST / f"LlamaDesk-{version}-macos-{arch}.zip"
        # ditto keeps the symbolic links inside Qt's frameworks, which a plain zip breaks.
        subprocess.run(
            ["ditto", "-c", "-k", "--keepParent", str(DIST / "LlamaDesk.app"), str(archive)],
            check=True,
        )
        return archive
    if sys.platform == "win32":
        base = DIST / f"LlamaDesk-{version}-windows-{arch}"
        return Path(shutil.make_archive(str(base), "zip", DIST, "LlamaDesk"))
    return linux_tarball(version, arch)


def linux_tarball(version: str, arch: str) -> Path:
    """dist/LlamaDesk-<version>-linux-<arch>.tar.gz: the bundle, icons, desktop entry, scripts."""
    name = f"LlamaDesk-{version}-linux-{arch}"
    archive = DIST / f"{name}.tar.gz"
    linux = PACKAGING / "linux"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(BUNDLE, arcname=f"{name}/LlamaDesk")
        for script in ("install.sh", "uninstall.sh"):
            tar.add(linux / script, arcname=f"{name}/{script}")
        tar.add(linux / "llamadesk.desktop", arcname=f"{name}/share/llamadesk.desktop")
        for icon in sorted((PACKAGING / "icons").glob("llamadesk-*.png")):
            tar.add(icon, arcname=f"{name}/share/icons/{icon.name}")
    return archive


def print_sizes(bundle: Path, count: int = 12) -> None:
    """The bundle's size, and the folders and files that take most of it."""
    files = [path for path in bundle.rglob("*") if path.is_file() and not path.is_symlink()]
    total = sum(path.stat().st_size for path in files)
    print(f"\nBundle {bundle.relative_to(ROOT)}: {total / 1e6:.0f} MB in {len(files)} files")
    inside = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    groups: dict[str, int] = {}
    for path in files:
        parts = path.relative_to(inside if path.is_relative_to(inside) else bundle).parts
        key = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
        groups[key] = groups.get(key, 0) + path.stat().st_size
    print("Largest parts:")
    for key, size in sorted(groups.items(), key=lambda item: -item[1])[:count]:
        print(f"  {size / 1e6:7.1f} MB  {key}")
    print("Largest files:")
    for path in sorted(files, key=lambda path: -path.stat().st_size)[:count]:
        print(f"  {path.stat().st_size / 1e6:7.1f} MB  {path.relative_to(bundle)}")


if __name__ == "__main__":
    sys.exit(main())
