# Oracle for the pep440 scheme: Debian's python3-packaging. Reads "a<TAB>b" lines and prints
# "<a valid> <b valid> <order or ?>" per line.
import sys

from packaging.version import InvalidVersion, Version


def parse(v):
    try:
        return Version(v)
    except InvalidVersion:
        return None


for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    x, y = parse(a), parse(b)
    order = "?" if x is None or y is None else str((x > y) - (x < y))
    print(int(x is not None), int(y is not None), order)
