"""Writes for community links, one small module per area. Every service checks the policy."""
