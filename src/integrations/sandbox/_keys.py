"""Development RSA key pair for the Salesforce JWT bearer flow."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["DevKeyPair", "generate_dev_keypair"]


@dataclass(frozen=True, slots=True)
class DevKeyPair:
    private_key_pem: str  # PKCS#8, unencrypted: for local development and tests only
    public_key_pem: str  # SubjectPublicKeyInfo, what the Salesforce sandbox verifies with


def generate_dev_keypair(key_size: int = 2048) -> DevKeyPair:
    """A fresh RSA key pair; the BFF signs with the private half, the sandbox verifies."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return DevKeyPair(private_pem.decode("ascii"), public_pem.decode("ascii"))
