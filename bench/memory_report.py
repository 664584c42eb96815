#!/usr/bin/env python3
"""Where a process's memory goes: its PSS from /proc/PID/smaps grouped by mapping, so each MiB
has a name, and inside the executable an estimate of which code is resident.

    bench/memory_report.py NAME PID OUTPUT

adhocd-bench runs it for each bot while they are idle. Groups: the executable, the Swift
runtime, Foundation, libxml2 and ICU, OpenSSL, Python's own code and extension modules, libc
and the other libraries, heap and anonymous memory, stacks.

Inside the executable, resident pages (from /proc/PID/pagemap's present bit) are attributed
to the symbols covering them (`nm -S`), grouped by Swift module (from the mangled name) or C
prefix (CNIOBoringSSL_ and CCryptoBoringSSL_ are the two BoringSSL copies); a symbol with no
telling name (a C file's static function) counts for the nearest named symbol before it, as
the linker lays out each library's objects together. Bytes no symbol covers count for their
ELF section (.rodata, .eh_frame, Swift metadata, ...). The split is an estimate; the total is
exact.
"""

import bisect
import os
import re
import struct
import subprocess
import sys
from collections import defaultdict

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024

PROJECT_MODULES = {
    "adhocd", "AdhocdKit", "XMPPCore", "XMPPClient", "Commands", "AdHoc", "Chat", "BuiltinCommands",
    "CommandFiles", "DBus", "DBusBridge", "HealthMonitor", "HostMetrics", "ProcessSupervision",
    "TOMLConfig", "CDBus", "CLibXML2", "CResolv", "CProcessSpawn", "SASL", "CLibCrypto",
}


def library_group(path: str, executable: str) -> str:
    name = os.path.basename(path)
    if path == executable:
        return f"the executable ({name})"
    if not path:
        return "heap and anonymous"
    if path == "[heap]":
        return "heap and anonymous"
    if path.startswith("[stack"):
        return "stacks"
    if path.startswith("["):
        return "kernel ([vdso], [vvar])"
    if name.startswith(("libswift", "libdispatch", "libBlocksRuntime")):
        return "Swift runtime"
    if name.startswith(("libFoundation", "lib_Foundation")):
        return "Foundation"
    if name.startswith(("libxml2", "libicu")):
        return "libxml2 and ICU"
    if name.startswith(("libssl", "libcrypto")):
        return "OpenSSL (libssl, libcrypto)"
    if name.startswith("libpython") or "/lib-dynload/" in path or "site-packages" in path:
        return "Python modules and libpython"
    if "(deleted)" in path or path.startswith("/memfd:") or path.startswith("/dev/"):
        return "heap and anonymous"
    return "libc and other libraries"


def read_smaps(pid: int):
    """(start, end, offset, path, pss_kib) per mapping."""
    mappings = []
    header = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) \S+ \d+\s*(.*)$")
    with open(f"/proc/{pid}/smaps") as smaps:
        current = None
        for line in smaps:
            match = header.match(line)
            if match:
                current = [int(match[1], 16), int(match[2], 16), int(match[4], 16), match[5].strip(), 0]
                mappings.append(current)
            elif line.startswith("Pss:") and current is not None:
                current[4] = int(line.split()[1])
    return mappings


def resident_pages(pid: int, start: int, end: int):
    """Addresses of the pages of [start, end) present in memory."""
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        pagemap.seek(start // PAGE * 8)
        data = pagemap.read((end - start) // PAGE * 8)
    present = []
    for index in range(len(data) // 8):
        (entry,) = struct.unpack_from("<Q", data, index * 8)
        if entry >> 63:
            present.append(start + index * PAGE)
    return present


def tool(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def symbol_group(name: str):
    """The group of a symbol with a telling name, else None."""
    if name.startswith("CNIOBoringSSL_") or name.startswith("_CNIOBoringSSL"):
        return "BoringSSL, swift-nio-ssl's copy"
    if name.startswith("CCryptoBoringSSL_") or name.startswith("_CCryptoBoringSSL"):
        return "BoringSSL, swift-crypto's copy"
    if name.startswith("c_nio_"):
        return "swift-nio"
    match = re.match(r"^_?\$s(\d+)", name)
    if not match:
        return "Swift standard library" if name.startswith(("$ss", "$sS", "swift_", "_swift_")) else None
    length = int(match[1])
    module = name[match.end():match.end() + length]
    if module in PROJECT_MODULES:
        return "adhocd's own code"
    if module.startswith(("NIOSSL", "NIOTLS")):
        return "swift-nio-ssl (Swift)"
    if module.startswith(("NIO", "_NIO", "CNIO")):
        return "swift-nio"
    if module.startswith(("Crypto", "_Crypto", "CCrypto")):
        return "swift-crypto (Swift)"
    if module in ("Swift", "_Concurrency", "_StringProcessing", "Synchronization", "Glibc", "SwiftGlibc"):
        return "Swift standard library"
    if module.startswith("Foundation"):
        return "Foundation"
    return "other packages (swift-log, argument-parser, service-lifecycle, collections, atomics)"


SECTION_ROLES = {
    ".text": "code no sized symbol covers",
    ".rela.dyn": "relocations, read once by the loader",
    ".rela.plt": "relocations, read once by the loader",
    ".rodata": "constants",
    ".eh_frame": "unwind tables",
    ".eh_frame_hdr": "unwind tables",
    ".gcc_except_table": "unwind tables",
    ".dynsym": "dynamic symbols",
    ".dynstr": "dynamic symbols",
    ".data.rel.ro": "data fixed up at load",
    ".data": "data",
    ".bss": "zeroed data",
}


def section_label(name: str) -> str:
    role = SECTION_ROLES.get(name, "Swift metadata" if name.startswith("swift5_") else "")
    return f"section {name}" + (f" ({role})" if role else "")


def executable_split(path: str, pages: list):
    """Resident bytes of the executable by code group and, where no symbol covers them, section."""
    loads = []
    for line in tool("readelf", "-lW", path).splitlines():
        fields = line.split()
        if fields[:1] == ["LOAD"]:
            loads.append((int(fields[1], 16), int(fields[2], 16), int(fields[4], 16)))  # offset, vaddr, filesz
    sections = []
    for line in tool("readelf", "-SW", path).splitlines():
        match = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if match and int(match[2], 16) and int(match[3], 16):
            sections.append((int(match[2], 16), int(match[2], 16) + int(match[3], 16), match[1]))
    sections.sort()
    symbols = []
    last_group = "unknown"
    for line in tool("nm", "-S", "-n", "--defined-only", path).splitlines():
        fields = line.split(maxsplit=3)
        if len(fields) != 4:
            continue
        address, size, name = int(fields[0], 16), int(fields[1], 16), fields[3]
        group = symbol_group(name)
        if group is None:
            group = last_group
        else:
            last_group = group
        if size:
            symbols.append((address, address + size, group))
    if not symbols:
        return None
    starts = [symbol[0] for symbol in symbols]
    section_starts = [section[0] for section in sections]
    split = defaultdict(int)
    static = defaultdict(int)
    for start, end, group in symbols:
        static[group] += end - start
    for page_file_offset in pages:
        vaddr = None
        for offset, base, size in loads:
            if offset <= page_file_offset < offset + size:
                vaddr = page_file_offset - offset + base
        if vaddr is None:
            split["(file headers)"] += PAGE
            continue
        page_end = vaddr + PAGE
        covered = 0
        index = max(0, bisect.bisect_right(starts, vaddr) - 1)
        # Symbols may overlap (aliases); count each byte of the page once, for the first.
        cursor = vaddr
        while index < len(symbols) and symbols[index][0] < page_end:
            start, end, group = symbols[index]
            low, high = max(start, cursor), min(end, page_end)
            if high > low:
                split[group] += high - low
                covered += high - low
                cursor = high
            index += 1
        if covered < PAGE:
            where = bisect.bisect_right(section_starts, vaddr) - 1
            name = sections[where][2] if where >= 0 and vaddr < sections[where][1] else "(between sections)"
            split[section_label(name)] += PAGE - covered
    return split, static


def main():
    name, pid, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    executable = os.readlink(f"/proc/{pid}/exe")
    mappings = read_smaps(pid)
    groups = defaultdict(float)
    members = defaultdict(lambda: defaultdict(float))
    executable_pages = []
    for start, end, offset, path, pss in mappings:
        group = library_group(path, executable)
        groups[group] += pss * 1024
        members[group][os.path.basename(path) or "(anonymous)"] += pss * 1024
        if path == executable:
            executable_pages += [page - start + offset for page in resident_pages(pid, start, end)]
    total = sum(groups.values())
    lines = [f"{name} (pid {pid}), idle: PSS {total / MIB:.1f} MiB by mapping"]
    for group, pss in sorted(groups.items(), key=lambda item: -item[1]):
        if pss < 0.05 * MIB:
            continue
        parts = sorted(members[group].items(), key=lambda item: -item[1])
        detail = ", ".join(f"{member} {value / MIB:.1f}" for member, value in parts[:6] if value >= 0.05 * MIB)
        lines.append(f"  {pss / MIB:6.1f} MiB  {group}" + (f"  ({detail})" if len(parts) > 1 and detail else ""))
        if group.startswith("the executable"):
            result = executable_split(executable, executable_pages)
            if result is None:
                lines.append("           (no symbol table: no split inside the executable)")
                continue
            split, static = result
            lines.append(f"           resident in it, estimated from its symbol table (static size of the code beside):")
            for part, size in sorted(split.items(), key=lambda item: -item[1]):
                if size >= 0.05 * MIB:
                    beside = f"   [{static[part] / MIB:.1f} MiB in the file]" if part in static else ""
                    lines.append(f"           {size / MIB:6.1f} MiB  {part}{beside}")
    with open(output, "w") as report:
        report.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
