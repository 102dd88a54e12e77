"""Adapters: implementations of the ports in warmline.ports."""
