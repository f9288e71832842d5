# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only, loaded by a .pth file in the boot matrix's roots (see
# tests/boot/mkosi-initrd.sh; mkosi runs itself again with a clean
# environment, so PYTHONPATH would not reach it), in the programs named
# mkosi*: the machines the tests run on have a kernel
# without loadable modules, so no /proc/modules, which mkosi reads for its
# "host" module list (the modules loaded on the building machine). The
# test VM's modules are listed by name instead (90-hvtest.conf). Where
# /proc/modules exists, nothing is changed.
import os
import sys

if not os.path.exists("/proc/modules") and os.path.basename(sys.argv[0] if sys.argv else "").startswith("mkosi"):
    try:
        import mkosi
        import mkosi.kmod
    except ImportError:
        pass
    else:
        def _no_host_modules():
            return []

        for _m in (mkosi, mkosi.kmod):
            if hasattr(_m, "loaded_modules"):
                _m.loaded_modules = _no_host_modules
