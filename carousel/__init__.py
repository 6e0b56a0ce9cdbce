"""The ``carousel`` command line: the one room that wires the front-ends, the worker and rendering.

Nothing in ``bot``, ``worker``, ``rendering``, ``themes`` or ``contract`` imports it.
"""
