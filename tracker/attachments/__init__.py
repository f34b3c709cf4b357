"""Encrypted attachments: envelope encryption, streaming, blob stores, key rotation."""
