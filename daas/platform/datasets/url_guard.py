"""Which network addresses a URL import may reach (no SSRF into the platform's own network).

A host is resolved once; every address it resolves to must be public unless
``DAAS_DATASET_IMPORT_ALLOW`` lists the host name or a network holding the address. The
caller connects to the returned address (pinning it), so a second DNS answer never counts.
IPv6 forms that embed an IPv4 address (IPv4-mapped, 6to4, NAT64) are judged by that address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from daas.errors import Forbidden, InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOW_SETTING = "DAAS_DATASET_IMPORT_ALLOW"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

#: (rule name, what it says about an address, test), first match wins.
_RULES = (
    ("unspecified", "the unspecified address", lambda ip: ip.is_unspecified),
    ("loopback", "a loopback address", lambda ip: ip.is_loopback),
    ("link-local", "a link-local address", lambda ip: ip.is_link_local),
    ("multicast", "a multicast address", lambda ip: ip.is_multicast),
    # fec0::/10, deprecated by RFC 3879 but still routed inside some networks.
    ("site-local", "a site-local address", lambda ip: ip.version == 6 and ip.is_site_local),
    ("private", "a private address", lambda ip: ip.is_private),
    ("reserved", "a reserved address", lambda ip: ip.is_reserved),
    ("not-global", "not a public address", lambda ip: not ip.is_global),
)


@dataclass(frozen=True)
class AllowList:
    """Host names and networks an administrator allows imports from."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: str | list[str] | None) -> AllowList:
        """From ``"host, 10.0.0.0/8, ::1"`` (or a list); what is not an IP or CIDR is a name."""
        if isinstance(entries, str):
            entries = entries.split(",")
        names, networks = set(), []
        for entry in (item.strip().strip("[]") for item in entries or ()):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(_normal_name(entry))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        """Whether ``host`` itself is listed."""
        return _normal_name(host) in self.names

    def allows_address(self, ip: IPAddress) -> bool:
        """Whether a listed network holds ``ip`` (or the IPv4 address it embeds)."""
        return any(candidate in network for candidate in {ip, embedded_ipv4(ip) or ip}
                   for network in self.networks if network.version == candidate.version)


def _normal_name(host: str) -> str:
    return host.strip().rstrip(".").lower()


def _is_literal(host: str, ip: IPAddress) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")) == ip
    except ValueError:
        return False


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, 6to4 or NAT64 IPv6 address stands for."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress) -> tuple[str, str] | None:
    """``(rule, description)`` of the first rule refusing ``ip``; None for a public address."""
    for candidate in (embedded_ipv4(ip), ip):
        if candidate is None:
            continue
        for rule, description, applies in _RULES:
            if applies(candidate):
                return rule, description
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, in the resolver's order (numeric forms normalised)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def checked_address(host: str, port: int, allow: AllowList, *, field: str = "url") -> IPAddress:
    """The address to connect to for ``host``, after checking every address it resolves to.

    Raises ``Forbidden`` naming the rule that refused, or ``InvalidInput`` when the host
    does not resolve.
    """
    if not host:
        raise InvalidInput("the URL names no host", field=field)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        raise InvalidInput(f"cannot resolve host {host!r}", field=field) from None
    if not addresses:
        raise InvalidInput(f"cannot resolve host {host!r}", field=field)
    if allow.allows_name(host):
        return addresses[0]
    for ip in addresses:
        refused = refusal(ip)
        if refused is not None and not allow.allows_address(ip):
            raise _refused(host, ip, *refused, field=field)
    return addresses[0]


def _refused(host: str, ip: IPAddress, rule: str, description: str, *, field: str) -> Forbidden:
    embedded = embedded_ipv4(ip)
    subject = str(ip) if embedded is None else f"{ip} (IPv4 {embedded})"
    if not _is_literal(host, ip):
        subject = f"{host} resolves to {subject}, which"
    return Forbidden(
        f"refused: {subject} is {description}; an administrator can allow it with "
        f"{ALLOW_SETTING}",
        details={"field": field, "rule": rule, "address": str(ip)},
    )
