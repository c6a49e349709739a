#!/usr/bin/env python3
"""check_kiosk_conf.py KIOSK CONF: the device's kiosk.conf uses only keys `KIOSK --print-config`
documents, each with the type of its default, and points at the device's paths. KIOSK may start
with an emulator (a cross-build's qemu-user): "qemu-aarch64 -L ... build/kiosk"."""
import shlex
import subprocess
import sys
import tomllib

kiosk, conf = sys.argv[1], sys.argv[2]
defaults = tomllib.loads(subprocess.run(shlex.split(kiosk) + ["--print-config"], check=True,
                                        capture_output=True, text=True).stdout)
with open(conf, "rb") as f:
    device = tomllib.load(f)
problems = [f"{conf}: unknown key '{k}'" for k in device if k not in defaults]
problems += [f"{conf}: key '{k}' is a {type(v).__name__}, the default a {type(defaults[k]).__name__}"
             for k, v in device.items() if k in defaults and type(v) is not type(defaults[k])]
expected = {"data_dir": "/var/lib/cardkiosk", "trust": "/etc/cardkiosk/bundle.pub.pem",
            "usb_mount_dir": "/media/cardkiosk"}
problems += [f"{conf}: {k} must be {v!r}, not {device.get(k)!r}" for k, v in expected.items()
             if device.get(k) != v]
print("\n".join(problems) or f"{conf}: {len(device)} keys, all known")
sys.exit(1 if problems else 0)
