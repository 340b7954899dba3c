#!/usr/bin/python3
"""manifest.py DIR > OUT.jsonl: what the kernel's ZFS shows for the tree under DIR.

One JSON object per line, sorted by path (relative to DIR, "." for DIR itself):
path, type (f, d, l, c, b, p, s), mode (permission bits with setuid/setgid/sticky),
ino (the ZFS object number), uid, gid, size, nlink, mtime (seconds.nanoseconds),
sha256 of regular files, target of symbolic links, and xattrs (name -> hex value)
where there are any. make-fixtures.sh records one per dataset and snapshot; the
tests of format/poolimage and format/streamfs compare their reading with it.
"""
import hashlib, json, os, stat, sys

TYPES = {stat.S_IFREG: "f", stat.S_IFDIR: "d", stat.S_IFLNK: "l", stat.S_IFCHR: "c",
         stat.S_IFBLK: "b", stat.S_IFIFO: "p", stat.S_IFSOCK: "s"}


def entry(root, rel):
    full = os.path.join(root, rel) if rel != "." else root
    st = os.lstat(full)
    e = {"path": rel, "type": TYPES.get(stat.S_IFMT(st.st_mode), "?"),
         "mode": stat.S_IMODE(st.st_mode), "ino": st.st_ino, "uid": st.st_uid,
         "gid": st.st_gid, "size": st.st_size, "nlink": st.st_nlink,
         "mtime": "%d.%09d" % (st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9)}
    if e["type"] == "f":
        h = hashlib.sha256()
        with open(full, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        e["sha256"] = h.hexdigest()
    elif e["type"] == "l":
        e["target"] = os.readlink(full)
    if e["type"] in ("c", "b"):
        e["rdev"] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
    try:
        names = os.listxattr(full, follow_symlinks=False)
    except OSError:
        names = []
    xa = {}
    for n in sorted(names):
        if n.startswith("system."):
            continue
        xa[n] = os.getxattr(full, n, follow_symlinks=False).hex()
    if xa:
        e["xattrs"] = xa
    return e


def main():
    root = sys.argv[1]
    rels = ["."]
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == root and ".zfs" in dirnames:
            dirnames.remove(".zfs")
        for n in dirnames + filenames:
            rels.append(os.path.relpath(os.path.join(dirpath, n), root))
    for rel in sorted(rels):
        print(json.dumps(entry(root, rel), sort_keys=True))


main()
