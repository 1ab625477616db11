"""Just enough of ELF to read what a Linux binary links to, and which glibc versions it asks for.

`ldd` gives the whole transitive closure, resolved against the build machine; packaging needs the direct
DT_NEEDED entries instead (to know what each bundled file itself requires) and the GLIBC_x.y symbol versions
(for the .deb's `libc6 (>= …)`). Pure Python, so no binutils is needed to build or to test.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

_DT_NEEDED = 1
_SHT_DYNAMIC = 6
_SHT_GNU_VERNEED = 0x6FFFFFFE


@dataclass
class ElfInfo:
    needed: list[str] = field(default_factory=list)
    # library file name → version names required from it, e.g. {"libc.so.6": {"GLIBC_2.34", …}}
    versions: dict[str, set[str]] = field(default_factory=dict)


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def read_elf(path: Path) -> ElfInfo:
    """DT_NEEDED entries and required symbol versions of the ELF file at `path` (ValueError if not ELF)."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF":
        raise ValueError(f"{path} is not an ELF file")
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3A)
        sh_fmt, dyn_fmt = end + "IIQQQQIIQQ", end + "qQ"
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2E)
        sh_fmt, dyn_fmt = end + "IIIIIIIIII", end + "iI"
    sections = [struct.unpack_from(sh_fmt, data, shoff + i * shentsize) for i in range(shnum)]

    def string(section_index: int, offset: int) -> str:
        base = sections[section_index][4] + offset
        return data[base:data.index(b"\0", base)].decode("utf-8", "replace")

    info = ElfInfo()
    for sh in sections:
        sh_type, sh_offset, sh_size, sh_link = sh[1], sh[4], sh[5], sh[6]
        if sh_type == _SHT_DYNAMIC:
            step = struct.calcsize(dyn_fmt)
            for pos in range(sh_offset, sh_offset + sh_size, step):
                tag, value = struct.unpack_from(dyn_fmt, data, pos)
                if tag == 0:
                    break
                if tag == _DT_NEEDED:
                    info.needed.append(string(sh_link, value))
        elif sh_type == _SHT_GNU_VERNEED:
            pos = sh_offset
            while True:
                _ver, count, file_off, aux_off, next_off = struct.unpack_from(end + "HHIII", data, pos)
                names = info.versions.setdefault(string(sh_link, file_off), set())
                aux = pos + aux_off
                for _ in range(count):
                    _hash, _flags, _other, name_off, aux_next = struct.unpack_from(end + "IHHII", data, aux)
                    names.add(string(sh_link, name_off))
                    aux += aux_next
                if not next_off:
                    break
                pos += next_off
    return info


def needed(path: str | Path) -> list[str]:
    """The DT_NEEDED sonames of an ELF file (what PyInstaller's spec uses to prune the bundle on Linux)."""
    return read_elf(Path(path)).needed


def _highest(paths: list[Path], library: re.Pattern[str], prefix: str) -> tuple[int, ...]:
    best: tuple[int, ...] = ()
    for path in paths:
        for lib, names in read_elf(path).versions.items():
            if not library.match(lib):
                continue
            for name in names:
                head, _, version = name.partition("_")
                if head == prefix and version.replace(".", "").isdigit():
                    best = max(best, tuple(int(p) for p in version.split(".")))
    return best


# The glibc libraries (all versioned GLIBC_x.y): one package, libc6.
_GLIBC_LIBS = re.compile(r"^(libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libcrypt)\.so\.\d+$|^ld-linux")


def glibc_floor(paths: list[Path]) -> str | None:
    """The highest GLIBC_x.y version any of `paths` requires from glibc (e.g. "2.35"), or None."""
    best = _highest(paths, _GLIBC_LIBS, "GLIBC")
    return ".".join(map(str, best)) if best else None


# GLIBCXX symbol version → first GCC release whose libstdc++ has it (Debian's libstdc++6 is versioned by GCC).
_GLIBCXX_TO_GCC = {(3, 4, 25): "8", (3, 4, 26): "9", (3, 4, 28): "10", (3, 4, 29): "11", (3, 4, 30): "12",
                   (3, 4, 31): "13", (3, 4, 32): "13.2", (3, 4, 33): "14", (3, 4, 34): "15"}


def libstdcxx_floor(paths: list[Path]) -> str | None:
    """The GCC version whose libstdc++ provides every GLIBCXX version `paths` need (None: any will do)."""
    best = _highest(paths, re.compile(r"^libstdc\+\+\.so\.6$"), "GLIBCXX")
    if best < (3, 4, 25):
        return None
    known = [v for k, v in sorted(_GLIBCXX_TO_GCC.items()) if k <= best]
    if best > max(_GLIBCXX_TO_GCC):
        raise ValueError(f"GLIBCXX_{'.'.join(map(str, best))} is newer than this table; add its GCC version")
    return known[-1]
