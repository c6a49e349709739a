#!/usr/bin/env python3
"""Boots the image toolchain/vm-test.sh made and checks the kiosk from outside the VM.

Through QMP (the VM's monitor): screendump (the screen), input-send-event (a keyboard-wedge
scanner and a cashier typing), device_add/device_del of a USB stick, quit (a power cut). Through
the QEMU guest agent (a virtio serial port): the commands that read the state inside (systemctl,
cardctl). Checks, in order:
  1. the kiosk's idle screen appears (not black) - seconds from start;
  2. a card typed on the keyboard like a wedge scanner, then an amount and Enter twice, gives a
     discount (a green result on the screen, a discount entry in the journal);
  3. a stick with a filesystem the kiosk refuses (ext2) is not mounted, with a journal message;
  4. a FAT32 stick with a newer signed bundle, hot-plugged, is applied (registry seq 2) and gets its
     receipt, complete on the stick when it is pulled; no stale mount after the pull;
  5. the kiosk killed with SIGKILL is back (active, a new PID) - seconds; a hung kiosk (SIGSTOP) is
     restarted by the systemd watchdog - seconds; after each, its first frame is on the screen
     within RESTART_SCREEN_S of READY=1;
  6. a power cut (QMP quit) right after an accepted purchase: after the reboot the journal verifies
     and holds the purchase;
  7. the idle kiosk's CPU and memory;
  8. a crash loop (SIGKILL after SIGKILL) stops the restarts with a message on tty1, and the
     admin's command from that message brings the kiosk back.
Results go to WORK/results.json, screens to WORK/screens/.
"""
import argparse
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import zlib

T0 = time.monotonic()


def log(msg):
    print(f"vm-test: [{time.monotonic() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


class Fail(Exception):
    pass


class JsonSocket:
    """A QMP or guest-agent connection: one JSON object per line."""

    def __init__(self, path, timeout=600):
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.sock.settimeout(timeout)
        self.buf = b""

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Fail("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.strip().lstrip(b"\xff")  # the agent's sync delimiter
        if not line:
            return self.recv()
        return json.loads(line)

    def close(self):
        self.sock.close()


class Qmp(JsonSocket):
    def __init__(self, path):
        super().__init__(path)
        self.recv()  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.send({"execute": name, "arguments": args} if args else {"execute": name})
        while True:
            r = self.recv()
            if "event" in r:
                continue
            if "error" in r:
                raise Fail(f"QMP {name}: {r['error']}")
            return r.get("return")


class Agent:
    """The QEMU guest agent, reconnected for every call (it survives a guest restart that way)."""

    def __init__(self, path):
        self.path = path

    def _call(self, name, args=None, timeout=10):
        s = JsonSocket(self.path, timeout=timeout)
        try:
            sync_id = int(time.time() * 1000) % 2**31
            s.send({"execute": "guest-sync-delimited", "arguments": {"id": sync_id}})
            while True:
                r = s.recv()
                if r.get("return") == sync_id:
                    break
            s.send({"execute": name, "arguments": args or {}})
            r = s.recv()
            if "error" in r:
                raise Fail(f"guest agent {name}: {r['error']}")
            return r.get("return")
        finally:
            s.close()

    def ping(self):
        try:
            self._call("guest-ping", timeout=3)
            return True
        except (OSError, Fail, socket.timeout, json.JSONDecodeError):
            return False

    def run(self, *argv, check=True, timeout=60):
        pid = self._call("guest-exec", {"path": argv[0], "arg": list(argv[1:]),
                                        "capture-output": True})["pid"]
        deadline = time.monotonic() + timeout
        while True:
            st = self._call("guest-exec-status", {"pid": pid})
            if st.get("exited"):
                break
            if time.monotonic() > deadline:
                raise Fail(f"{' '.join(argv)}: still running after {timeout}s")
            time.sleep(0.2)
        out = base64.b64decode(st.get("out-data", "")).decode(errors="replace")
        err = base64.b64decode(st.get("err-data", "")).decode(errors="replace")
        code = st.get("exitcode", -1)
        if check and code != 0:
            raise Fail(f"{' '.join(argv)}: exit {code}: {err.strip()} {out.strip()}")
        return code, out, err

    def sh(self, script, check=True, timeout=60):
        return self.run("/bin/sh", "-c", script, check=check, timeout=timeout)


# --- the screen ---------------------------------------------------------------------------

def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b"P6":
        raise Fail(f"{path}: not a P6 PPM")
    w, h = int(parts[1]), int(parts[2])
    return w, h, parts[4][: w * h * 3]


def write_png(path, w, h, rgb):
    rows = b"".join(b"\x00" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


class Screen:
    def __init__(self, qmp, work):
        self.qmp = qmp
        self.dir = os.path.join(work, "screens")
        os.makedirs(self.dir, exist_ok=True)
        # Numbered on from the screens of this run's earlier boots (main() clears the last run's).
        self.n = len([f for f in os.listdir(self.dir) if f.endswith(".png")])

    def grab(self, name=None):
        """(w, h, stats, rgb); with a name also WORK/screens/NN-name.png."""
        ppm = os.path.join(self.dir, "last.ppm")
        self.qmp.cmd("screendump", filename=ppm)
        w, h, rgb = read_ppm(ppm)
        if name:
            self.save(name, w, h, rgb)
        return w, h, stats(rgb), rgb

    def save(self, name, w, h, rgb):
        self.n += 1
        write_png(os.path.join(self.dir, f"{self.n:02d}-{name}.png"), w, h, rgb)

    def wait(self, what, test, timeout, name):
        """Waits for a screen that passes `test`; saves it as NN-name.png and, when another screen
        came first, that one as NN-name-before.png (what was on the screen meanwhile)."""
        deadline = time.monotonic() + timeout
        last = before = None
        while time.monotonic() < deadline:
            try:
                last = self.grab()
            except Fail:
                last = None
            if last and test(last[2]):
                if before:
                    self.save(name + "-before", before[0], before[1], before[3])
                self.grab(name)
                return last
            before = last or before
            time.sleep(0.5)
        self.grab(name + "-timeout")
        raise Fail(f"screen: {what} not seen within {timeout}s (last: {last and last[2]})")


def stats(rgb):
    """Fractions of the screen's pixels (sampled): not black, green-ish, red-ish."""
    n = lit = green = red = 0
    for i in range(0, len(rgb) - 2, 3 * 37):
        r, g, b = rgb[i], rgb[i + 1], rgb[i + 2]
        n += 1
        lit += (r + g + b) > 60
        green += g > r + 40 and g > b + 20
        red += r > g + 60 and r > b + 60
    return {"lit": round(lit / n, 3), "green": round(green / n, 3), "red": round(red / n, 3)}


# --- the keyboard -------------------------------------------------------------------------

QCODE = {c: c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
QCODE.update({str(d): str(d) for d in range(10)})
QCODE.update({" ": "spc", "-": "minus", ".": "dot", "/": "slash", "\n": "ret"})
SHIFTED = {":": "semicolon", "$": "4", "%": "5", "*": "8", "+": "equal"}


def key_events(text):
    events = []

    def key(code, down):
        events.append({"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": code}}})

    for c in text:
        if c in SHIFTED:
            key("shift", True)
            key(SHIFTED[c], True)
            key(SHIFTED[c], False)
            key("shift", False)
        elif c in QCODE:
            # Upper-case letters as a wedge scanner sends them: with shift.
            shift = c.isalpha()
            if shift:
                key("shift", True)
            key(QCODE[c], True)
            key(QCODE[c], False)
            if shift:
                key("shift", False)
        else:
            raise Fail(f"no key for {c!r}")
    return events


def type_text(vm, text, chunk_chars=3):
    """Types `text` as a burst, a few characters a command: the virtio keyboard drops what does
    not fit in the guest's free event buffers, and a slow (TCG) guest refills them slowly. An arm64
    guest emulated on another CPU is slower still: 10 ms between commands lost keys there (the
    kiosk's burst log showed 188 of 267 characters, ended by Enter, with no pause), so it gets 30 ms,
    still well inside a scan's gaps (idle timeout 80 ms; the median gap stays 0)."""
    pause = 0.03 if vm.arch == "arm64" else 0.01
    for i in range(0, len(text), chunk_chars):
        vm.qmp.cmd("input-send-event", events=key_events(text[i:i + chunk_chars]))
        time.sleep(pause)


# --- the VM -------------------------------------------------------------------------------

def machine(arch, accel):
    """The qemu command line's machine part: a PC (q35, the VGA-compatible virtio GPU, the serial
    console on ttyS0) or, for arm64, the "virt" board with a Cortex-A72 (a Raspberry Pi 4's core),
    the PCI virtio GPU and the PL011 serial console (ttyAMA0)."""
    if arch == "arm64":
        cpu = "host" if accel == "kvm" else "cortex-a72"
        return (["qemu-system-aarch64", "-machine", "virt", "-cpu", cpu, "-accel", accel],
                "ttyAMA0", "virtio-gpu-pci")
    return ["qemu-system-x86_64", "-machine", "q35", "-accel", accel], "ttyS0", "virtio-vga"


class Vm:
    def __init__(self, work, accel, arch):
        self.work = work
        self.accel = accel
        self.arch = arch
        self.qmp_path = os.path.join(work, "qmp.sock")
        self.qga_path = os.path.join(work, "qga.sock")
        self.serial = os.path.join(work, f"serial-{accel}.log")
        for p in (self.qmp_path, self.qga_path):
            if os.path.exists(p):
                os.unlink(p)
        qemu, console, gpu = machine(arch, accel)
        argv = qemu + [
            "-m", "2048", "-smp", "2",
            "-kernel", os.path.join(work, "vmlinuz"), "-initrd", os.path.join(work, "initrd.img"),
            "-append", f"root=/dev/vda rw console={console} loglevel=4 systemd.show_status=false no_timer_check panic=-1",
            "-drive", f"file={os.path.join(work, 'disk.img')},if=virtio,format=raw,cache=writeback",
            "-device", gpu, "-display", "none",
            "-device", "virtio-keyboard-pci",
            "-device", "qemu-xhci,id=xhci",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
            "-chardev", f"socket,path={self.qga_path},server=on,wait=off,id=qga0",
            "-device", "virtio-serial", "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
            "-serial", f"file:{self.serial}", "-nic", "none", "-no-reboot",
        ]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        self.started = time.monotonic()
        self.qmp = Qmp(self.qmp_path)
        self.agent = Agent(self.qga_path)
        self.screen = Screen(self.qmp, work)

    def serial_text(self):
        try:
            with open(self.serial, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_agent(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Fail(f"qemu exited ({self.proc.returncode})")
            if self.agent.ping():
                return
            time.sleep(1)
        raise Fail(f"no guest agent within {timeout}s")

    def power_cut(self):
        try:
            self.qmp.cmd("quit")
        except (Fail, OSError):
            pass
        self.proc.wait(30)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def boot(work, arch, results):
    """KVM where the guest's agent answers under it within 60 s, else TCG. (Not the kernel's
    banner on the serial console: with loglevel=4 the kernel prints nothing there, under KVM or
    TCG, and a look for "Linux version" always fell back to TCG.)"""
    native = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine)
    kvm = arch == native and os.access("/dev/kvm", os.R_OK | os.W_OK)
    accels = ["kvm", "tcg"] if kvm else ["tcg"]
    if os.environ.get("CK_VM_ACCEL"):  # e.g. CK_VM_ACCEL=tcg: skip the KVM try
        accels = [os.environ["CK_VM_ACCEL"]]
    elif "kvm_fallback" in results:  # the reboot after the power cut: KVM did not boot before
        accels = ["tcg"]
    for accel in accels:
        try:
            vm = Vm(work, accel, arch)
        except (OSError, Fail) as err:
            if accel == "tcg":
                raise
            log(f"KVM: qemu did not start ({err}); falling back to TCG")
            continue
        if accel == "kvm":
            deadline = time.monotonic() + 60
            up = False
            while time.monotonic() < deadline and vm.proc.poll() is None and not up:
                up = vm.agent.ping()
                if not up:
                    time.sleep(1)
            if not up:
                why = (f"qemu exited ({vm.proc.returncode})" if vm.proc.poll() is not None
                       else "no guest agent within 60 s")
                log(f"KVM: {why}; falling back to TCG")
                results.setdefault("kvm_fallback", why)
                vm.stop()
                continue
        results["accel"] = accel
        log(f"booting with {accel}")
        return vm
    raise Fail("no accelerator booted the guest")


def is_idle(s):
    return s["lit"] > 0.05 and s["green"] < 0.3 and s["red"] < 0.3


def journal_entries(agent):
    _, out, _ = agent.run("runuser", "-u", "cardkiosk", "--", "cardctl", "journal", "list",
                          "--data-dir", "/var/lib/cardkiosk")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def kiosk_pid(agent):
    _, out, _ = agent.run("systemctl", "show", "-p", "MainPID", "-p", "ActiveState", "cardkiosk")
    props = dict(line.split("=", 1) for line in out.split())
    return int(props["MainPID"]), props["ActiveState"]


def kiosk_screens(agent):
    """The screens the kiosk logged (one JSON line per screen change) since this boot."""
    _, out, _ = agent.sh("journalctl -b -u cardkiosk -o cat --no-pager | grep '^{' || true")
    screens = []
    for line in out.splitlines():
        try:
            screens.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return screens


def wait_screen(vm, state, since, timeout, label):
    """The first screen logged after `since` screens whose state is `state`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        later = kiosk_screens(vm.agent)[since:]
        for s in later:
            if s.get("state") == state:
                return s
            if s.get("state") == "result" and state != "result":
                vm.screen.grab(f"{label}-unexpected")
                raise Fail(f"{label}: a {s.get('decision')} result instead of the {state} screen")
        time.sleep(0.5)
    vm.screen.grab(f"{label}-timeout")
    raise Fail(f"{label}: no {state} screen within {timeout}s")


def purchase(vm, card, amount, label, results):
    """A card typed like a wedge scanner, the amount, Enter on the confirm screen: a discount.
    A scan that came out split (MALFORMED) is typed again, at most twice, and counted in
    results["scan_retries"] (0 expected: the kiosk reads evdev on its own thread with the kernel's
    timestamps; its journal's "kiosk: keys: burst ..." lines say how each part ended)."""
    for attempt in range(3):
        n = len(kiosk_screens(vm.agent))
        type_text(vm, card + "\n")
        try:
            wait_screen(vm, "amount", n, 60, label)
            break
        except Fail as err:
            if "MALFORMED" not in str(err) or attempt == 2:
                raise
            results["scan_retries"] = results.get("scan_retries", 0) + 1
            # How the kiosk saw the keys, read now: a power cut later would lose these lines.
            _, bursts, _ = vm.agent.sh("journalctl -b --no-pager -o cat -u cardkiosk | grep 'keys: burst' | tail -n 3",
                                       check=False, timeout=20)
            results.setdefault("split_scans", []).append(
                {"card_chars": len(card), "bursts": bursts.strip().splitlines()})
            log(f"{label}: the typed card was split ({err}); typing it again; the kiosk's bursts: "
                + " | ".join(bursts.strip().splitlines()))
            time.sleep(6)  # the result screen closes
    vm.screen.grab(f"{label}-amount")
    n = len(kiosk_screens(vm.agent))
    type_text(vm, amount + "\n", chunk_chars=1)
    wait_screen(vm, "confirm", n, 60, label)
    vm.screen.grab(f"{label}-confirm")
    n = len(kiosk_screens(vm.agent))
    type_text(vm, "\n")
    result = wait_screen(vm, "result", n, 60, label)
    vm.screen.grab(f"{label}-result")
    discounts = [e for e in journal_entries(vm.agent) if e["kind"] == "discount"]
    if not discounts:
        raise Fail(f"{label}: result {result} but no discount entry in the journal")
    return discounts[-1]


def check_sticks(vm, args, results):
    qmp, agent = vm.qmp, vm.agent
    # A refused filesystem: not mounted, a message in the journal.
    qmp.cmd("blockdev-add", **{"node-name": "badstick", "driver": "raw",
                               "file": {"driver": "file", "filename": args.bad_stick}})
    qmp.cmd("device_add", driver="usb-storage", id="badusb", drive="badstick", bus="xhci.0")
    deadline = time.monotonic() + 60
    msg = ""
    while time.monotonic() < deadline and "not accepted" not in msg:
        _, msg, _ = agent.sh("journalctl -b --no-pager -o cat -u 'cardkiosk-usb@*' | tail -n 3", check=False)
        time.sleep(1)
    if "not accepted" not in msg:
        raise Fail(f"ext2 stick: no refusal in the journal ({msg.strip()!r})")
    _, mounts, _ = agent.sh("grep /media/cardkiosk /proc/mounts || true")
    if mounts.strip():
        raise Fail(f"ext2 stick was mounted: {mounts}")
    results["refused_stick_message"] = [m for m in msg.splitlines() if "not accepted" in m][0]
    qmp.cmd("device_del", id="badusb")
    time.sleep(2)
    qmp.cmd("blockdev-del", **{"node-name": "badstick"})

    # The FAT32 stick with the seq 2 bundle.
    t = time.monotonic()
    qmp.cmd("blockdev-add", **{"node-name": "stick", "driver": "raw",
                               "file": {"driver": "file", "filename": args.stick}})
    qmp.cmd("device_add", driver="usb-storage", id="usb1", drive="stick", bus="xhci.0")
    deadline = time.monotonic() + 120
    receipt = ""
    while time.monotonic() < deadline:
        code, out, _ = agent.sh("for f in /media/cardkiosk/*/*receipt*; do [ -s \"$f\" ] && echo \"$f\"; done", check=False)
        if out.strip():
            receipt = out.split()[0]
            break
        time.sleep(1)
    if not receipt:
        vm.screen.grab("stick-no-receipt")
        raise Fail("stick: no receipt within 120 s")
    results["stick_receipt_seconds"] = round(time.monotonic() - t, 1)
    time.sleep(3)  # the screen's "can be removed" follows the flush
    vm.screen.grab("stick-done")
    _, listing, _ = agent.sh("ls -la /media/cardkiosk/*/")
    qmp.cmd("device_del", id="usb1")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, mounts, _ = agent.sh("grep /media/cardkiosk /proc/mounts; ls /media/cardkiosk", check=False)
        if not mounts.strip():
            break
        time.sleep(1)
    if mounts.strip():
        raise Fail(f"stale mount or directory after the pull: {mounts}")
    qmp.cmd("blockdev-del", **{"node-name": "stick"})
    # On the host, from the stick image as it was at the pull: the receipt is complete.
    out = subprocess.run(["mdir", "-b", "-i", args.stick, "::/"], capture_output=True, text=True,
                         env=dict(os.environ, MTOOLS_SKIP_CHECK="1")).stdout
    names = [os.path.basename(p) for p in out.split()]
    rec = [n for n in names if "receipt" in n.lower()]
    if not rec:
        raise Fail(f"stick image: no receipt after the pull (files: {names}; in the VM: {listing})")
    text = subprocess.run(["mtype", "-i", args.stick, "::/" + rec[0]], capture_output=True,
                          text=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1")).stdout
    if not text.strip():
        raise Fail(f"stick image: {rec[0]} is empty after the pull")
    results["stick_files"] = names
    results["receipt_first_line"] = text.strip().splitlines()[0]
    _, st, _ = agent.sh("runuser -u cardkiosk -- cardctl journal verify --data-dir /var/lib/cardkiosk | tail -n 1")
    log(f"stick applied, receipt {rec[0]} ({len(text)} bytes on the stick after the pull)")


# A restarted kiosk is "active" once it has drawn its first frame and sent READY=1: that frame
# must be on the screen at once, not at the next redraw (the clock's, up to a minute later).
RESTART_SCREEN_S = 10


def wait_new_kiosk(vm, pid, timeout, what, or_failed=False):
    """Waits until the kiosk runs again under a PID other than `pid` (or, with `or_failed`, until
    systemd gave up on it); returns its PID and the unit's state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new_pid, state = kiosk_pid(vm.agent)
        if (new_pid not in (0, pid) and state == "active") or (or_failed and state == "failed"):
            return new_pid, state
        time.sleep(0.2)
    raise Fail(f"{what}: the kiosk was not back within {timeout} s")


def wait_restart_screen(vm, t, what, name):
    """Right after wait_new_kiosk: the restarted kiosk's first frame on the screen within
    RESTART_SCREEN_S. Returns the seconds since `t` and since the kiosk was active."""
    active = time.monotonic()
    vm.screen.wait(what, is_idle, RESTART_SCREEN_S, name)
    return round(time.monotonic() - t, 1), round(time.monotonic() - active, 1)


def check_watchdog(vm, results):
    """A hung kiosk (SIGSTOP: its UI loop sends no WATCHDOG=1) is restarted by systemd's watchdog:
    WatchdogSec=30, then SIGABRT, which a stopped process does not act on, then SIGKILL after
    TimeoutAbortSec=10, then RestartSec=2: back within ~42 s."""
    pid, _ = kiosk_pid(vm.agent)
    since = len(kiosk_screens(vm.agent))
    t = time.monotonic()
    vm.agent.run("systemctl", "kill", "-s", "SIGSTOP", "cardkiosk")
    wait_new_kiosk(vm, pid, 120, "watchdog")
    results["watchdog_hang_to_active_seconds"] = round(time.monotonic() - t, 1)
    _, out, _ = vm.agent.sh("journalctl -b -u cardkiosk --no-pager -o cat | "
                            "grep -c 'Watchdog timeout' || true")
    if int(out.strip() or "0") < 1:
        raise Fail("watchdog: the kiosk came back, but the journal shows no watchdog timeout")
    if results["watchdog_hang_to_active_seconds"] < 30:
        raise Fail("watchdog: the hung kiosk was back before the watchdog period: not the watchdog")
    (results["watchdog_hang_to_idle_screen_seconds"],
     results["watchdog_active_to_idle_screen_seconds"]) = wait_restart_screen(
        vm, t, "the idle screen after the watchdog", "idle-after-watchdog")
    wait_screen(vm, "idle", since, 30, "idle-after-watchdog")
    log(f"watchdog: a hung kiosk was active again after "
        f"{results['watchdog_hang_to_active_seconds']} s")


# A console font draws look-alike letters with one glyph (Cyrillic "о" and Latin "o", "П" and
# Greek "Π"), and /dev/vcsu gives back one of them: compare text by what it looks like.
LOOKALIKES = str.maketrans("АВЕКМНОРСТХаеорсухіΠ", "ABEKMHOPCTXaeopcyxiП")


def same_glyphs(text):
    return text.translate(LOOKALIKES)


def check_crash_loop(vm, results):
    """Restarts too fast (StartLimitBurst=5 in StartLimitIntervalSec=120): systemd stops
    restarting the kiosk, and cardkiosk-crash-screen.service leaves its message on tty1, on the
    screen (text on black) and in the console's text (/dev/vcsu1). The command the message gives
    the admin starts the kiosk again."""
    kills = 0
    pid, state = kiosk_pid(vm.agent)
    while state != "failed" and kills < 8:
        vm.agent.run("systemctl", "kill", "-s", "SIGKILL", "cardkiosk")
        kills += 1
        pid, state = wait_new_kiosk(vm, pid, 60, "crash loop", or_failed=True)
    if state != "failed":
        raise Fail(f"crash loop: still {state} after {kills} kills in a row")
    results["crash_loop_kills"] = kills
    # The console's text as Unicode (/dev/vcsu1 maps each cell's glyph back through the loaded
    # font): the Russian line is there only when the font has Cyrillic, not as boxes.
    deadline = time.monotonic() + 30
    text = ""
    while time.monotonic() < deadline:
        _, text, _ = vm.agent.sh("iconv -f UTF-32LE -t UTF-8 /dev/vcsu1", check=False)
        if "stopped after crashing" in text:
            break
        time.sleep(0.5)
    else:
        raise Fail(f"crash loop: no message on tty1 (its text: {' '.join(text.split())[:200]!r})")
    if not all(same_glyphs(line) in same_glyphs(text) for line in ("Киоск остановлен", "Киоск тоқтатылды")):
        raise Fail("crash loop: the message's Russian and Kazakh lines are not readable on tty1: "
                   f"{' '.join(text.split())[:300]!r}")
    vm.screen.wait("the crash-loop message", lambda s: 0.002 < s["lit"] < 0.2 and not is_idle(s), 10,
                   "crash-loop-message")
    vm.agent.sh("systemctl reset-failed cardkiosk && systemctl start cardkiosk", timeout=120)
    vm.screen.wait("the idle screen after reset-failed", is_idle, 60, "idle-after-crash-loop")
    log(f"crash loop: {kills} kills in a row leave the message on tty1; reset-failed starts the kiosk again")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["amd64", "arm64"], default="amd64")
    ap.add_argument("--work", required=True)
    ap.add_argument("--card", required=True)
    ap.add_argument("--card2", required=True)
    ap.add_argument("--stick", required=True)
    ap.add_argument("--bad-stick", required=True)
    args = ap.parse_args()
    card = open(args.card).read().strip()
    card2 = open(args.card2).read().strip()
    results = {"arch": args.arch}
    screens = os.path.join(args.work, "screens")
    for f in os.listdir(screens) if os.path.isdir(screens) else []:
        if f.endswith(".png"):
            os.unlink(os.path.join(screens, f))
    vm = boot(args.work, args.arch, results)
    try:
        vm.screen.wait("the idle screen", is_idle, 600, "idle")
        results["boot_to_idle_seconds"] = round(time.monotonic() - vm.started, 1)
        log(f"idle screen after {results['boot_to_idle_seconds']} s")
        vm.wait_agent(300)
        time.sleep(10)  # the first redraws after the mode is set are slow under TCG
        _, out, _ = vm.agent.run("kiosk", "--version")
        results["kiosk_version"] = out.strip()
        # On the console the kiosk reads the keyboards itself (its own thread, the kernel's times),
        # not through SDL's event loop, where a slow redraw splits a scanner's burst.
        _, out, _ = vm.agent.sh("journalctl -b --no-pager -o cat -u cardkiosk | grep -E 'kiosk: keys: (keyboards and scanners|not reading)' | head -n 1",
                                check=False, timeout=20)
        results["keys_read"] = out.strip()
        if "read through evdev" not in out:
            raise Fail(f"the kiosk does not read the keyboards through evdev: {out.strip() or 'nothing said'}")

        e = purchase(vm, card, "1250", "purchase1", results)
        results["purchase1"] = {k: e[k] for k in ("seq", "purchase_minor", "discount_minor")}
        if e["discount_minor"] <= 0:
            raise Fail(f"purchase 1: no discount: {e}")
        log(f"purchase 1: discount {e['discount_minor']} of {e['purchase_minor']}")
        vm.screen.wait("the idle screen again", is_idle, 30, "idle-after-purchase")

        check_sticks(vm, args, results)

        pid, _ = kiosk_pid(vm.agent)
        t = time.monotonic()
        vm.agent.run("systemctl", "kill", "-s", "SIGKILL", "cardkiosk")
        wait_new_kiosk(vm, pid, 120, "SIGKILL")
        results["sigkill_to_active_seconds"] = round(time.monotonic() - t, 1)
        (results["sigkill_to_idle_screen_seconds"],
         results["sigkill_active_to_idle_screen_seconds"]) = wait_restart_screen(
            vm, t, "the idle screen after SIGKILL", "idle-after-kill")
        log(f"SIGKILL: active again after {results['sigkill_to_active_seconds']} s")

        check_watchdog(vm, results)

        _, out, _ = vm.agent.sh(
            "p=$(systemctl show -p MainPID --value cardkiosk); "
            "a=$(cut -d' ' -f14,15 /proc/$p/stat); sleep 10; b=$(cut -d' ' -f14,15 /proc/$p/stat); "
            "echo $a $b $(getconf CLK_TCK) $(grep VmRSS /proc/$p/status)", timeout=30)
        u1, s1, u2, s2, hz = (int(x) for x in out.split()[:5])
        results["idle_cpu_percent"] = round(100.0 * (u2 + s2 - u1 - s1) / hz / 10, 1)
        results["idle_rss_kb"] = int(out.split()[6])

        e = purchase(vm, card2, "2000", "purchase2", results)
        results["purchase2"] = {k: e[k] for k in ("seq", "purchase_minor", "discount_minor")}
        log(f"purchase 2 journalled (seq {e['seq']}): power cut now")
        vm.power_cut()

        vm = boot(args.work, args.arch, results)
        vm.screen.wait("the idle screen after the power cut", is_idle, 600, "idle-after-power-cut")
        vm.wait_agent(300)
        _, out, _ = vm.agent.run("runuser", "-u", "cardkiosk", "--", "cardctl", "journal", "verify",
                                 "--data-dir", "/var/lib/cardkiosk")
        results["journal_verify_after_power_cut"] = out.strip().splitlines()[-1]
        seqs = [x["seq"] for x in journal_entries(vm.agent)]
        if e["seq"] not in seqs:
            raise Fail(f"power cut: entry seq {e['seq']} lost (journal has {seqs})")
        log("power cut: the journal verifies and holds the purchase")

        check_crash_loop(vm, results)
        results["ok"] = True
    except Fail as err:
        results["ok"] = False
        results["error"] = str(err)
        try:
            _, out, _ = vm.agent.sh("journalctl -b --no-pager -n 60 -u cardkiosk -u 'cardkiosk-usb@*'",
                                    check=False, timeout=20)
            results["guest_journal_tail"] = out.splitlines()
        except Exception:  # the guest may be gone: the error above is what matters
            pass
    finally:
        vm.stop()
        results["total_seconds"] = round(time.monotonic() - T0, 1)
        with open(os.path.join(args.work, "results.json"), "w") as f:
            json.dump(results, f, indent=2, ensure_ascii=False)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0 if results.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
