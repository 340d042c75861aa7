"""Hosts on one machine: network namespaces joined by a bridge, for the scale-out benchmark and
its test (issue 19, item 3).

`simulated_hosts(n)` creates a bridge on this machine with 198.18.0.1/24 and `n` namespaces
`<prefix>-1 … <prefix>-n`, each reaching the bridge over its own veth pair with 198.18.0.(10+i)
(another `net`, e.g. "198.18.1", and `prefix` let a test and a benchmark run side by side);
198.18.0.0/15 is the range reserved for benchmarks (RFC 2544), and only these addresses are
used: a namespace gets no default route, so nothing it runs can send anywhere else. Everything
is removed on exit, also after a failure. Needs root (CAP_NET_ADMIN) and iproute2.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["HOST_ADDRESS", "Host", "hosts_available", "simulated_hosts"]

HOST_ADDRESS = "198.18.0.1"  # this machine, as the namespaces of the default net reach it
NET = "198.18.0"


@dataclass(frozen=True)
class Host:
    """One simulated host: its namespace and its address."""

    name: str
    address: str
    gateway: str  # this machine, as the host reaches it

    def command(self, *argv: str) -> list[str]:
        """`argv` run inside this host's namespace."""
        return ["ip", "netns", "exec", self.name, *argv]


def hosts_available() -> str | None:
    """None when namespaces can be made here, else why not (for a skip or a refusal)."""
    if shutil.which("ip") is None:
        return "iproute2 (the ip command) is not installed"
    if os.geteuid() != 0:
        return "creating network namespaces needs root"
    return None


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True)


@contextmanager
def simulated_hosts(n: int, prefix: str = "pfw", net: str = NET) -> Iterator[list[Host]]:
    """`n` hosts reaching this machine at `<net>.1`; removed afterwards."""
    bridge = f"{prefix}-br"
    gateway = f"{net}.1"
    hosts = [Host(f"{prefix}-{i}", f"{net}.{10 + i}", gateway) for i in range(1, n + 1)]
    _teardown(bridge, hosts)  # what a killed earlier run may have left
    try:
        _ip("link", "add", bridge, "type", "bridge")
        _ip("addr", "add", f"{gateway}/24", "dev", bridge)
        _ip("link", "set", bridge, "up")
        for i, host in enumerate(hosts, start=1):
            outside, inside = f"{prefix}-h{i}", f"{prefix}-n{i}"
            _ip("netns", "add", host.name)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", host.name)
            _ip("link", "set", outside, "master", bridge)
            _ip("link", "set", outside, "up")
            _ip("-n", host.name, "addr", "add", f"{host.address}/24", "dev", inside)
            _ip("-n", host.name, "link", "set", inside, "up")
            _ip("-n", host.name, "link", "set", "lo", "up")
        yield hosts
    finally:
        _teardown(bridge, hosts)


def _teardown(bridge: str, hosts: list[Host]) -> None:
    for host in hosts:
        _ip("netns", "del", host.name, check=False)  # removes its end of the veth pair too
    _ip("link", "del", bridge, check=False)
