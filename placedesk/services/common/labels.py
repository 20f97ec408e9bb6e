"""How a provider is named wherever two could be confused: name, town and Ofsted URN.

Provider names repeat (two "Harmony Lodge" homes in different towns), so
shortlists, exclusions, offers and lists show "Harmony Lodge, Leeds (URN
SC123456)" rather than the name alone.
"""

from __future__ import annotations

from typing import Protocol


class _Named(Protocol):
    name: str
    town: str
    urn: str | None


def provider_label(provider: _Named) -> str:
    """The provider's name with its town and URN, where they are known."""
    return provider_label_parts(provider.name, provider.town, provider.urn)


def provider_label_parts(name: str, town: str | None, urn: str | None) -> str:
    """As :func:`provider_label`, from the three values (for rows read without the ORM)."""
    label = name
    if town and town.strip() and town.strip().lower() not in name.lower():
        label += f", {town.strip()}"
    if urn and urn.strip():
        label += f" (URN {urn.strip()})"
    return label


__all__ = ["provider_label", "provider_label_parts"]
